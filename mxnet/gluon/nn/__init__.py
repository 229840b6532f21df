"""Gluon neural-network layers."""
from .basic_layers import (Sequential, HybridSequential, Dense, Dropout, BatchNorm, BatchNormReLU,
                           Embedding, Flatten, InstanceNorm, LayerNorm, GroupNorm, Lambda, HybridLambda)
from .activations import Activation, LeakyReLU, PReLU, ELU, SELU, GELU, Swish
from .conv_layers import (Conv1D, Conv2D, Conv3D, Conv1DTranspose, Conv2DTranspose, Conv3DTranspose,
                          MaxPool1D, MaxPool2D, MaxPool3D, AvgPool1D, AvgPool2D, AvgPool3D,
                          GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D, GlobalAvgPool1D,
                          GlobalAvgPool2D, GlobalAvgPool3D, ReflectionPad2D)
from ..block import Block, HybridBlock, SymbolBlock
from . import basic_layers, activations, conv_layers  # noqa: F401

__all__ = ["Sequential", "HybridSequential", "Dense", "Dropout", "BatchNorm", "BatchNormReLU", "Embedding",
           "Flatten", "InstanceNorm", "LayerNorm", "GroupNorm", "Lambda", "HybridLambda", "Activation",
           "LeakyReLU", "PReLU", "ELU", "SELU", "GELU", "Swish", "Conv1D", "Conv2D", "Conv3D",
           "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "MaxPool1D", "MaxPool2D", "MaxPool3D",
           "AvgPool1D", "AvgPool2D", "AvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
           "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "ReflectionPad2D", "Block",
           "HybridBlock", "SymbolBlock"]
