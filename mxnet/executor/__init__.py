"""``mx.executor``: bound graphs (``Executor``) and the graph plan they run (``GraphPlan``)."""
from .plan import GraphPlan
from .executor import Executor, bind, simple_bind

__all__ = ["Executor", "GraphPlan", "bind", "simple_bind"]
