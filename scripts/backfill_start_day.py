"""Give interviews stored before the staff search existed their `start_day` (the by_start_day index's key), once
after deploying it: until then the search cannot find them. A one-off migration, so it may Scan; it only sets
start_day = starts_at[:10] where start_day is missing, so running it again changes nothing.

    .venv/bin/python scripts/backfill_start_day.py <physical interviews table name>
"""

from __future__ import annotations

import sys

import boto3


def backfill(table_name: str, dynamodb=None) -> int:
    """How many interviews got their start_day."""
    dynamodb = dynamodb or boto3.client("dynamodb")
    updated = 0
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table_name, FilterExpression="attribute_not_exists(start_day) AND attribute_exists(starts_at)",
        ProjectionExpression="interview_id, starts_at")
    for page in pages:
        for item in page["Items"]:
            try:
                dynamodb.update_item(
                    TableName=table_name, Key={"interview_id": item["interview_id"]},
                    UpdateExpression="SET start_day = :day",
                    # A move meanwhile set its own day (and starts_at): leave that one alone.
                    ConditionExpression="attribute_not_exists(start_day) AND starts_at = :starts",
                    ExpressionAttributeValues={":day": {"S": item["starts_at"]["S"][:10]},
                                               ":starts": item["starts_at"]})
                updated += 1
            except dynamodb.exceptions.ConditionalCheckFailedException:
                continue
    return updated


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(f"{backfill(sys.argv[1])} interviews given their start_day")
