"""One logger, tracer and metrics object for the whole service, configured by POWERTOOLS_* variables."""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# A page view or a redelivered event may add no metric; that is normal, not worth a warning per invocation.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service="interview-cancellations")
tracer = Tracer(service="interview-cancellations")
metrics = Metrics(namespace="InterviewCancellations", service="interview-cancellations")
