"""Check a Lambda zip on this machine: unzip it, and run its handler in a bare interpreter against moto's server.

Run: python deploy/check_lambda_zip.py   (builds build/glimpse-lambda-py<this python>.zip first)
The handler runs in this machine's base Python with -I -S (no site-packages: only the
standard library and the unzipped package, as in Lambda), reads its session key from SSM
and handles one event with a key outside enrol/ and one unreadable photo, both over real
HTTP to moto's S3, DynamoDB and SSM. Rekognition is not reached (moto's server has no face
collections), so a real enrolment is left to `make smoke-aws`. Prints what happened.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from webapp.backends.aws.provision import faces_table_spec, main_table_spec  # noqa: E402

BUCKET = "glimpse-check"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from webapp import lambda_handler
event = {"Records": [{"s3": {"bucket": {"name": "glimpse-check"}, "object": {"key": key}}} for key in sys.argv[2:]]}
print(json.dumps(lambda_handler.handler(event, None)))
"""


def _world(endpoint: str) -> None:
    """The SSM parameter, bucket, tables and dropped objects the handler will meet."""
    kw = {"region_name": "us-east-1", "endpoint_url": endpoint}
    boto3.client("ssm", **kw).put_parameter(Name="/glimpse/secret-key", Value="k" * 64, Type="SecureString")
    s3 = boto3.client("s3", **kw)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="enrol/Ada_Lovelace/not-a-photo.jpg", Body=b"hello")
    s3.put_object(Bucket=BUCKET, Key="elsewhere/x.jpg", Body=b"hello")
    ddb = boto3.client("dynamodb", **kw)
    for spec in (faces_table_spec("glimpse-faces"), main_table_spec("glimpse")):
        ddb.create_table(**spec)


def main() -> None:
    """Build, unzip, run, report."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    out = ROOT / "build" / f"glimpse-lambda-py{python}.zip"
    subprocess.run([sys.executable, str(ROOT / "deploy" / "lambda_zip.py"), "--python", python, "--out", str(out)],
                   check=True)
    os.environ.update(CREDENTIALS)
    server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    server.start()
    endpoint = "http://{}:{}".format(*server.get_host_and_port())
    try:
        _world(endpoint)
        with tempfile.TemporaryDirectory() as unzipped:
            zipfile.ZipFile(out).extractall(unzipped)
            env = {"PATH": "/usr/bin:/bin", **CREDENTIALS, "AWS_ENDPOINT_URL": endpoint, "GLIMPSE_BACKEND": "aws",
                   "GLIMPSE_S3_BUCKET": BUCKET, "GLIMPSE_AWS_REGION": "us-east-1",
                   "GLIMPSE_SECRET_KEY_PARAMETER": "/glimpse/secret-key", "GLIMPSE_DATA_DIR": "/tmp"}
            base = Path(sys.base_prefix) / "bin" / f"python{python}"
            done = subprocess.run([str(base), "-I", "-S", "-c", CHILD, unzipped, "elsewhere/x.jpg",
                                   "enrol/Ada_Lovelace/not-a-photo.jpg"], env=env, capture_output=True, text=True)
        print(done.stderr[-2000:], file=sys.stderr)
        results = json.loads(done.stdout.strip().splitlines()[-1])["results"]
        left = [o["Key"] for o in boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint)
                .list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    finally:
        server.stop()
    for r in results:
        print(f"{r['key']}: {r['status']} ({r.get('reason', '')})")
    print("objects left in the bucket:", left)


if __name__ == "__main__":
    main()
