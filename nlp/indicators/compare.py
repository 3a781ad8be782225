"""placeholder until written"""
class IndicatorComparison: pass
def compare_indicators(*a, **k): raise NotImplementedError
