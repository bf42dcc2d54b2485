"""Runs moto's server on 127.0.0.1, on a free port, one DynamoDB request at a time.

Why not `moto_server`: moto applies a TransactWriteItems action by action and
undoes a cancelled one by restoring a copy of each table taken when it began.
Its server handles requests on threads, so two transactions on one table can
interleave, and one's rollback can erase the other's committed writes: a
double booking that DynamoDB (which serialises conflicting transactions)
never makes. This launcher runs moto's own WSGI app, but lets one DynamoDB
request in at a time; other services stay concurrent (an SQS long poll must
not stall everything).

Writes "<port> <pid>" to --port-file once its port is bound.
"""

import argparse
import os
import threading

from werkzeug.serving import make_server

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    create_backend_app,
)


class OneDynamoDBRequestAtATime:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            with self.lock:
                # Finish the whole response inside the lock.
                return list(self.app(environ, start_response))
        return self.app(environ, start_response)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", args.port, OneDynamoDBRequestAtATime(app), threaded=True)
    port = server.server_port
    os.environ["MOTO_PORT"] = str(port)
    partial = args.port_file + ".partial"
    with open(partial, "w") as f:
        f.write(f"{port} {os.getpid()}\n")
    os.replace(partial, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
