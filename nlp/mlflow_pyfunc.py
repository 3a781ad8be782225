"""MLflow "model from code" definition of the classifier's pyfunc flavour.

MLflow copies this file into the logged model and runs it on load, instead of
unpickling a Python object; the wrapped classifier itself is read from its
saved folder (JSON + arrays; see :class:`nlp.tracking.PolicyClassifierPyfunc`).
"""
from mlflow.models import set_model

from nlp.tracking import PolicyClassifierPyfunc

set_model(PolicyClassifierPyfunc())
