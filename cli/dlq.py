"""`interviews dlq ...`: look at an event rule's dead-letter queue and move its messages back to the rule's queue.

    interviews dlq depth   --rule notify --local                      # the local system (`interviews local`)
    interviews dlq redrive --rule notify --local
    interviews dlq redrive --rule notify --stack InterviewCancellations-prod-platform   # a deployed stack
    interviews dlq redrive --dlq <queue URL> --queue <queue URL or ARN>

Always back to the rule's own queue (the dead-letter queue also holds events EventBridge could not deliver,
which have no source queue SQS could return them to). Safe to repeat: the notify function sends each message
at most once per message key and its writes are conditional. A message is deleted from the dead-letter queue
only after SQS accepted its copy, so a failure half-way duplicates at most a batch, never loses one.

Wired into `cli/main.py` through `register(subparsers)`; each sub-command's `func` returns the exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
LOCAL_PREFIX = "local"  # local_runtime.resources.create()'s default prefix


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `dlq` command (with `depth` and `redrive`) to an argparse sub-parser collection."""
    dlq = subparsers.add_parser("dlq", help="inspect and redrive the event rules' dead-letter queues")
    actions = dlq.add_subparsers(dest="dlq_command", required=True)
    for name, func, text in (("depth", depth_command, "how many messages wait in the dead-letter queue"),
                             ("redrive", redrive_command, "move dead-lettered messages back to the rule's queue")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--rule", default="notify", help="the event rule (infra/topology.py RULES), e.g. notify")
        where = action.add_mutually_exclusive_group()
        where.add_argument("--local", action="store_true",
                           help="the local system's queues (named <prefix>-<rule> and <prefix>-<rule>-dlq)")
        where.add_argument("--stack", help="a deployed stack: its DeadLetterQueueUrl<Rule> and QueueArn<Rule> outputs")
        action.add_argument("--prefix", default=LOCAL_PREFIX, help="with --local: the resources' name prefix")
        action.add_argument("--dlq", help="the dead-letter queue's URL (instead of --local/--stack)")
        action.add_argument("--queue", help="the destination queue's URL or ARN (instead of --local/--stack)")
        action.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL"),
                            help="AWS endpoint (the local system's moto server; default $AWS_ENDPOINT_URL)")
        if name == "redrive":
            action.add_argument("--max", type=int, default=None, help="move at most this many messages")
            action.add_argument("--wait-seconds", type=int, default=1,
                                help="long-poll this long before deciding the dead-letter queue is empty")
        action.set_defaults(func=func)


@dataclass(frozen=True)
class Queues:
    dlq_url: str
    queue_url: str


def _sqs(endpoint_url: str | None):
    import boto3

    if endpoint_url and not os.environ.get("AWS_ACCESS_KEY_ID"):
        # moto's server accepts any credentials; say so, so that no real ones are looked for
        return boto3.client("sqs", endpoint_url=endpoint_url, region_name=os.environ.get("AWS_REGION", "us-east-1"),
                            aws_access_key_id="local", aws_secret_access_key="local")
    return boto3.client("sqs", endpoint_url=endpoint_url) if endpoint_url else boto3.client("sqs")


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def _queue_url(sqs, url_or_arn: str) -> str:
    if url_or_arn.startswith("arn:"):
        *_, account, name = url_or_arn.split(":")
        return sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    return url_or_arn


def resolve(sqs, args: argparse.Namespace) -> Queues:
    if args.dlq or args.queue:
        if not (args.dlq and args.queue):
            raise ValueError("give both --dlq and --queue")
        return Queues(_queue_url(sqs, args.dlq), _queue_url(sqs, args.queue))
    if args.stack:
        import boto3

        stack = boto3.client("cloudformation").describe_stacks(StackName=args.stack)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        rule = _camel(args.rule)
        try:
            return Queues(outputs[f"DeadLetterQueueUrl{rule}"], _queue_url(sqs, outputs[f"QueueArn{rule}"]))
        except KeyError:
            raise ValueError(f"stack {args.stack} has no queues for rule {args.rule!r}") from None
    if args.local:
        return Queues(sqs.get_queue_url(QueueName=f"{args.prefix}-{args.rule}-dlq")["QueueUrl"],
                      sqs.get_queue_url(QueueName=f"{args.prefix}-{args.rule}")["QueueUrl"])
    raise ValueError("say where: --local, --stack NAME, or --dlq URL --queue URL")


def dlq_depth(sqs, dlq_url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def redrive(sqs, dlq_url: str, queue_url: str, *, limit: int | None = None, wait_seconds: int = 1) -> tuple[int, int]:
    """Move messages from the dead-letter queue to the queue. Returns (moved, failed)."""
    moved = failed = 0
    while limit is None or moved < limit:
        count = 10 if limit is None else min(10, limit - moved)
        messages = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=count, WaitTimeSeconds=wait_seconds,
                                       VisibilityTimeout=60, MessageAttributeNames=["All"]).get("Messages", [])
        if not messages:
            break
        entries = [{"Id": str(i), "MessageBody": m["Body"],
                    **({"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {})}
                   for i, m in enumerate(messages)]
        sent = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        accepted = {entry["Id"] for entry in sent.get("Successful", [])}
        if accepted:
            sqs.delete_message_batch(QueueUrl=dlq_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(messages) if str(i) in accepted])
        moved += len(accepted)
        if sent.get("Failed"):
            # The refused ones become visible in the dead-letter queue again after the visibility timeout.
            failed += len(sent["Failed"])
            break
    return moved, failed


def _resolved(args: argparse.Namespace):
    """The SQS client and the rule's queues, or None after saying why they could not be found."""
    try:
        sqs = _sqs(args.endpoint_url)
        return sqs, resolve(sqs, args)
    except (ValueError, BotoCoreError) as exc:  # e.g. no region configured: say so instead of a traceback
        print(f"error: {exc}", file=sys.stderr)
        return None


def depth_command(args: argparse.Namespace) -> int:
    found = _resolved(args)
    if found is None:
        return EXIT_BAD_INPUT
    sqs, queues = found
    print(f"{dlq_depth(sqs, queues.dlq_url)} message(s) in the dead-letter queue of rule {args.rule}")
    return EXIT_OK


def redrive_command(args: argparse.Namespace) -> int:
    found = _resolved(args)
    if found is None:
        return EXIT_BAD_INPUT
    sqs, queues = found
    moved, failed = redrive(sqs, queues.dlq_url, queues.queue_url, limit=args.max, wait_seconds=args.wait_seconds)
    print(f"moved {moved} message(s) from the dead-letter queue of rule {args.rule} back to its queue")
    if failed:
        print(f"error: SQS refused {failed} message(s); they stay in the dead-letter queue", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run `dlq` on its own: `python -m cli.dlq redrive --rule notify --local`."""
    parser = argparse.ArgumentParser(prog="interviews")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["dlq", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
