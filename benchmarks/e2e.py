"""placeholder"""
class E2EUnavailable(RuntimeError):
    pass
def run(**kw):
    raise E2EUnavailable("not yet")
