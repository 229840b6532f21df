/* Direct convolution kernels (see _native_conv.py); compiled into the library of _native.c. */
