"""MLflow "model from code" definition of the classifier's pyfunc flavour.

MLflow copies this file into the logged model and runs it on load, instead of
unpickling a Python object; see :mod:`nlp.classifier.mlflow_model`.
"""
from mlflow.models import set_model

from nlp.classifier.mlflow_model import PolicyClassifierPyfunc

set_model(PolicyClassifierPyfunc())
