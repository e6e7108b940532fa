#!/usr/bin/env python3
# A misbehaving HTTP server for tests: answers every GET with 206 and a
# malformed Content-Range ("bytes 0-0/12x45"), as a broken proxy might.
# Prints "ready PORT" once it listens on a free loopback port.
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(206)
        self.send_header("Content-Range", "bytes 0-0/12x45")
        self.send_header("Content-Length", "1")
        self.end_headers()
        self.wfile.write(b"P")

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print("ready", server.server_address[1], flush=True)
sys.stdout.close()
server.serve_forever()
