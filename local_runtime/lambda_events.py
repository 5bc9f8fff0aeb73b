"""Turn local inputs into the events AWS would deliver to our functions, and a stand-in Lambda context."""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    deadline: float = field(default_factory=lambda: time.time() + 29)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.time()) * 1000))


def api_gateway_event(*, method: str, path: str, resource: str, path_parameters: dict, query: dict[str, str],
                      headers: dict[str, str], body: bytes, claims: dict | None, source_ip: str) -> dict:
    """A REST API (v1) proxy event, as API Gateway builds it."""
    text_body: str | None
    is_base64 = False
    if not body:
        text_body = None
    else:
        try:
            text_body = body.decode("utf-8")
        except UnicodeDecodeError:
            text_body, is_base64 = base64.b64encode(body).decode(), True
    request_context = {
        "resourcePath": resource, "httpMethod": method, "path": f"/local{path}", "stage": "local",
        "requestId": str(uuid.uuid4()), "requestTimeEpoch": int(time.time() * 1000),
        "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
        "accountId": "123456789012", "apiId": "local",
    }
    if claims is not None:
        request_context["authorizer"] = {"claims": claims}
    return {
        "resource": resource, "path": path, "httpMethod": method,
        "headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters or None, "stageVariables": None,
        "requestContext": request_context, "body": text_body, "isBase64Encoded": is_base64,
    }


def sqs_event(messages: list[dict], queue_arn: str) -> dict:
    """An SQS batch event, as the Lambda event source mapping builds it from received messages."""
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
        "md5OfBody": m.get("MD5OfBody", ""), "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    } for m in messages]}


def scheduled_event(detail: dict) -> dict:
    """What EventBridge Scheduler hands the target."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.scheduler",
            "account": "123456789012", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": "us-east-1", "resources": [], "detail": detail}
