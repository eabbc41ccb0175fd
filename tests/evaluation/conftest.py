from tests.web.conftest import demo

__all__ = ["demo"]
