"""The local system's DynamoDB (moto, made as isolated as DynamoDB by local_runtime/moto_dynamodb.py): a cancelled
transaction changes nothing, and a committed one keeps every write, whatever else the tables hold."""

import boto3
import pytest
from moto import mock_aws

from local_runtime import moto_dynamodb


@pytest.fixture
def dynamodb():
    moto_dynamodb.serialise_operations()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="things", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        client.create_table(TableName="log", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                       {"AttributeName": "sk", "KeyType": "RANGE"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                  {"AttributeName": "sk", "AttributeType": "S"}])
        for n in range(50):  # items the transactions do not name, which must stay as they are
            client.put_item(TableName="things", Item={"id": {"S": f"other-{n}"}, "state": {"S": "kept"}})
        client.put_item(TableName="things", Item={"id": {"S": "a"}, "state": {"S": "open"}})
        client.put_item(TableName="log", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "text": {"S": "first"}})
        yield client


def _everything(client) -> dict:
    return {table: sorted(map(str, client.scan(TableName=table)["Items"])) for table in ("things", "log")}


def _transaction(failing: bool) -> list[dict]:
    return [
        {"Update": {"TableName": "things", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET #s = :c",
                    "ExpressionAttributeNames": {"#s": "state"}, "ExpressionAttributeValues": {":c": {"S": "closed"}}}},
        {"Put": {"TableName": "log", "Item": {"pk": {"S": "a"}, "sk": {"S": "2"}, "text": {"S": "closed"}}}},
        {"Delete": {"TableName": "log", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}}},
        {"Put": {"TableName": "things", "Item": {"id": {"S": "b"}, "state": {"S": "new"}}}},
        # last, so that moto has applied every write above before the condition fails
        {"ConditionCheck": {"TableName": "things", "Key": {"id": {"S": "other-0"}},
                            "ConditionExpression": "#s = :k", "ExpressionAttributeNames": {"#s": "state"},
                            "ExpressionAttributeValues": {":k": {"S": "gone" if failing else "kept"}}}},
    ]


def test_a_cancelled_transaction_leaves_every_table_as_it_was(dynamodb):
    # GIVEN two tables with items the transaction names and items it does not
    before = _everything(dynamodb)
    # WHEN a transaction updates, puts, deletes and puts anew, and its last condition fails
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=_transaction(failing=True))
    # THEN nothing changed: the updated and deleted items are back, the new ones are not there
    assert _everything(dynamodb) == before


def test_a_committed_transaction_keeps_every_write_and_touches_nothing_else(dynamodb):
    # GIVEN the same tables
    before = _everything(dynamodb)
    # WHEN the same transaction's condition holds
    dynamodb.transact_write_items(TransactItems=_transaction(failing=False))
    # THEN each write is there, and every item it does not name is as it was
    get = dynamodb.get_item
    assert get(TableName="things", Key={"id": {"S": "a"}})["Item"]["state"] == {"S": "closed"}
    assert get(TableName="things", Key={"id": {"S": "b"}})["Item"]["state"] == {"S": "new"}
    assert [i["sk"]["S"] for i in dynamodb.scan(TableName="log")["Items"]] == ["2"]
    others = [i for i in _everything(dynamodb)["things"] if "other-" in i]
    assert others == [i for i in before["things"] if "other-" in i]
