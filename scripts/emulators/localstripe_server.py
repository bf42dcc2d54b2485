"""Runs localstripe on 127.0.0.1, on a free port, its store in --state-dir.

localstripe's own CLI binds every interface and keeps its store in
/tmp/localstripe.pickle, shared by every run on the machine. This launcher
binds 127.0.0.1 only, starts from an empty store, and saves it in this run's
directory (the pinned localstripe 1.15.10 saves through Store.dump_to_disk).

Writes "<port> <pid>" to --port-file once its port is bound.
"""

import argparse
import os
import pickle
import socket

from aiohttp import web
from localstripe import resources
from localstripe.server import app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()

    store_path = os.path.join(args.state_dir, "localstripe.pickle")

    def dump_to_disk(store):
        with open(store_path, "wb") as f:
            pickle.dump(store, f, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.dump_to_disk = dump_to_disk

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    partial = args.port_file + ".partial"
    with open(partial, "w") as f:
        f.write(f"{port} {os.getpid()}\n")
    os.replace(partial, args.port_file)
    web.run_app(app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    main()
