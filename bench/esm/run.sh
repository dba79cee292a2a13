#!/usr/bin/env bash
# SQS event source mapping benchmark: messages per second end to end, beside moto's own floor.
#
#   bench/esm/run.sh [--messages N] [--floor-loops "1 5"] [--bin PATH]
#
# Starts moto_server and lambdalite (AWS_ENDPOINT_URL pointing at moto) on free ports, then:
#   floor: N messages pre-sent to a queue, consumed by plain boto3 loops of ReceiveMessage (10)
#          + DeleteMessageBatch, 5 in parallel (the poller's default worker count; --floor-loops
#          "1 5" measures one loop too): what moto itself can serve. moto scans the whole queue
#          for every message it receives or deletes, so its rate falls with the queue's depth;
#          both figures start from the same N.
#   esm:   N messages pre-sent to another queue, then an event source mapping (BatchSize 10) to a
#          python3.12 echo function; the time from CreateEventSourceMapping until the status view
#          has delivered all N and the queue is empty.
# Prints messages/s for each. Timing never fails the script.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
# shellcheck source=bench/lib.sh
source "$HERE/../lib.sh"

MESSAGES="${BENCH_MESSAGES:-2000}"
FLOOR_LOOPS="${BENCH_FLOOR_LOOPS:-5}"
LL_SERVER_ARGS=()
BIN="$(lambdalite_bin)"
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) MESSAGES="$2"; shift 2 ;;
    --floor-loops) FLOOR_LOOPS="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown option: $1" ;;
  esac
done

[ -x "$BIN" ] || die "lambdalite binary not found at $BIN (run scripts/build.sh first)"
PY="$(command -v python3 || true)"
[ -n "$PY" ] || die "python3 is not installed"
"$PY" -c "import moto, boto3" 2>/dev/null || die "python3 needs moto and boto3"

TMP="$(mktemp -d /tmp/lambdalite-bench-esm.XXXXXX)"
LL_PID=""
MOTO_PID=""
cleanup() {
  stop_process "$LL_PID"
  stop_process "$MOTO_PID"
  rm -rf "$TMP"
}
trap cleanup EXIT

MOTO_PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log "starting moto_server on port $MOTO_PORT"
"$PY" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$TMP/moto.log" 2>&1 </dev/null &
MOTO_PID=$!
for _ in $(seq 1 300); do
  curl -s -o /dev/null "http://127.0.0.1:$MOTO_PORT/" && break
  kill -0 "$MOTO_PID" 2>/dev/null || { cat "$TMP/moto.log" >&2; die "moto_server exited"; }
  sleep 0.2
done

export AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
start_lambdalite "$BIN" "$TMP"
log "lambdalite on port $LL_PORT, moto on $MOTO_PORT, $MESSAGES messages"

"$PY" - "$LL_PORT" "$MOTO_PORT" "$MESSAGES" "$FLOOR_LOOPS" <<'PY'
import io, json, sys, threading, time, urllib.request, zipfile
import boto3
from botocore.config import Config

ll_port, moto_port, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
floor_loops = [int(x) for x in sys.argv[4].split()]
cfg = Config(retries={"max_attempts": 2}, max_pool_connections=20)
kw = dict(region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
          config=cfg)
sqs = boto3.client("sqs", endpoint_url=f"http://127.0.0.1:{moto_port}", **kw)
lam = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{ll_port}", **kw)

def presend(url):
    for i in range(0, n, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(j), "MessageBody": json.dumps({"n": i + j})} for j in range(min(10, n - i))])

def in_queue(url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])

def floor(loops):
    url = sqs.create_queue(QueueName=f"floor-{loops}")["QueueUrl"]
    presend(url)
    done = [0]
    lock = threading.Lock()
    def loop():
        client = boto3.client("sqs", endpoint_url=f"http://127.0.0.1:{moto_port}", **kw)
        while True:
            msgs = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                          WaitTimeSeconds=1, AttributeNames=["All"],
                                          MessageAttributeNames=["All"]).get("Messages", [])
            if not msgs:
                return
            client.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])
            with lock:
                done[0] += len(msgs)
    start = time.time()
    threads = [threading.Thread(target=loop) for _ in range(loops)]
    for t in threads: t.start()
    for t in threads: t.join()
    # The last empty long poll (1 s) is not work.
    return done[0] / max(time.time() - start - 1.0, 1e-3)

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("handler.py", "def handler(event, context):\n    return {'n': len(event['Records'])}\n")
lam.create_function(FunctionName="echo", Runtime="python3.12", Handler="handler.handler",
                    Role="arn:aws:iam::123456789012:role/r", Code={"ZipFile": buf.getvalue()})
for _ in range(200):
    if lam.get_function(FunctionName="echo")["Configuration"]["State"] == "Active": break
    time.sleep(0.1)
lam.invoke(FunctionName="echo", Payload=json.dumps({"Records": []}))  # warm one environment

floors = {loops: floor(loops) for loops in floor_loops}

url = sqs.create_queue(QueueName="esm")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
presend(url)
start = time.time()
uuid = lam.create_event_source_mapping(FunctionName="echo", EventSourceArn=arn,
                                       BatchSize=10)["UUID"]
row = {}
while time.time() - start < 600:
    rows = json.load(urllib.request.urlopen(
        f"http://127.0.0.1:{ll_port}/_lambdalite/event-source-mappings"))["EventSourceMappings"]
    row = next((r for r in rows if r["uuid"] == uuid), {})
    if row.get("recordsDelivered", 0) >= n:
        break
    time.sleep(0.05)
elapsed = time.time() - start
left = in_queue(url)
print()
print(f"SQS event source mapping, {n} messages, BatchSize 10, python3.12 echo function")
for loops, rate in floors.items():
    print(f"  floor: moto ReceiveMessage(10)+DeleteMessageBatch, {loops} client loop(s): "
          f"{rate:8.1f} msg/s")
print(f"  lambdalite end to end (create mapping -> all {n} delivered)    : "
      f"{row.get('recordsDelivered', 0) / elapsed:8.1f} msg/s  ({elapsed:.2f} s, "
      f"{row.get('batches', 0)} batches, {left} left in the queue)")
best = max(floors.values())
print(f"  ratio to the best floor: {row.get('recordsDelivered', 0) / elapsed / best:.2f}")
PY
