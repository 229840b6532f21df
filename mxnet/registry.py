"""Name registries for classes created from strings (metrics, initializers, ...).

``get_register_func(Base, 'metric')`` gives a decorator that files subclasses of ``Base`` under
their lower-cased names, ``get_alias_func`` one that adds more names, and ``get_create_func`` a
``create`` that accepts an instance, a registered name, a dict of arguments or their JSON.
Libraries built on MXNet (GluonNLP, GluonTS) make their own registries with these.
"""
import json
import warnings

_REGISTRY = {}


def get_registry(base_class):
    """A copy of the ``{name: class}`` table registered for ``base_class``."""
    return dict(_REGISTRY.setdefault(base_class, {}))


def get_register_func(base_class, nickname):
    """A decorator ``register(klass, name=None)`` filing subclasses of ``base_class``."""
    table = _REGISTRY.setdefault(base_class, {})

    def register(klass, name=None):
        assert issubclass(klass, base_class), f"Can only register subclass of {base_class.__name__}"
        key = (name or klass.__name__).lower()
        old = table.get(key)
        if old is not None and old is not klass:
            warnings.warn(f"\033[91mNew {nickname} {klass.__module__}.{klass.__name__} registered with "
                          f"name {key} is overriding existing {nickname} {old.__module__}."
                          f"{old.__name__}\033[0m", UserWarning, stacklevel=2)
        table[key] = klass
        return klass

    register.__doc__ = f"Register a {nickname} class under its (or the given) lower-cased name."
    return register


def get_alias_func(base_class, nickname):
    """A decorator ``alias(*names)`` registering a class under extra names."""
    register = get_register_func(base_class, nickname)

    def alias(*aliases):
        def reg(klass):
            for name in aliases:
                register(klass, name)
            return klass
        return reg

    alias.__doc__ = f"Register a {nickname} class under extra names."
    return alias


def get_create_func(base_class, nickname):
    """A ``create(*args, **kwargs)`` building a registered ``base_class`` from a spec."""
    table = _REGISTRY.setdefault(base_class, {})

    def create(*args, **kwargs):
        if args:
            name, args = args[0], args[1:]
        else:
            name = kwargs.pop(nickname)
        if isinstance(name, base_class):
            assert not args and not kwargs, \
                f"{nickname} is already an instance. Additional arguments are invalid"
            return name
        if isinstance(name, dict):
            return create(**name)
        assert isinstance(name, str), f"{nickname} must be of string type"
        if name.startswith("["):
            assert not args and not kwargs
            name, kwargs = json.loads(name)
            return create(name, **kwargs)
        if name.startswith("{"):
            assert not args and not kwargs
            return create(**json.loads(name))
        key = name.lower()
        assert key in table, f"{key} is not registered. Please register with {nickname}.register first"
        return table[key](*args, **kwargs)

    create.__doc__ = f"Create a {nickname} from an instance, a registered name, a dict or its JSON."
    return create
