import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { StrategySiteContext } from '../lib';

/**
 * The reference app's application: a tiny HTTP server on port 80 (Python's standard library,
 * which Amazon Linux 2023 ships), so the load balancer's and Route 53's checks, the SLOs, the
 * FIS stop conditions and the drills measure something true:
 *
 * - `GET /health`: 200 `ok` while the process serves (a shallow check: a database failover must
 *   not make Auto Scaling replace healthy instances);
 * - `GET /`: 200 with the Region, the AZ and whether this Region's database endpoint accepts a
 *   TCP connection (1 s), as JSON. The endpoint is the writer's: in the recovery Region that is
 *   the secondary's cluster endpoint, which serves once a failover promotes it, so until then
 *   `databaseReachable` may read false there (the app writes only where the writer is);
 * - anything else: 404.
 *
 * It runs as a systemd service under a dynamic user with only CAP_NET_BIND_SERVICE, restarted
 * if it exits. Replace it with your own application's user data.
 */
export function referenceAppUserData(site: Pick<StrategySiteContext, 'region' | 'database'>): ec2.UserData {
  const ud = ec2.UserData.forLinux();
  ud.addCommands(
    'set -euo pipefail',
    'install -d -m 0755 /opt/ref-app',
    "cat > /opt/ref-app/server.py <<'PY'",
    ...SERVER.split('\n'),
    'PY',
    "cat > /etc/systemd/system/ref-app.service <<'UNIT'",
    '[Unit]',
    'Description=cdk-resilience reference application',
    'Wants=network-online.target',
    'After=network-online.target',
    '[Service]',
    `Environment=APP_REGION=${site.region}`,
    `Environment=APP_DATABASE=${site.database.hostname}`,
    `Environment=APP_DATABASE_PORT=${site.database.port}`,
    'ExecStart=/usr/bin/python3 /opt/ref-app/server.py',
    'DynamicUser=yes',
    'AmbientCapabilities=CAP_NET_BIND_SERVICE',
    'CapabilityBoundingSet=CAP_NET_BIND_SERVICE',
    'NoNewPrivileges=yes',
    'Restart=always',
    'RestartSec=2',
    '[Install]',
    'WantedBy=multi-user.target',
    'UNIT',
    'systemctl daemon-reload',
    'systemctl enable --now ref-app.service',
    // The exit status is what the CloudFormation signal reports (rollingUpdate.waitForSignals):
    // success only once the application answers its health check, within 2 minutes.
    'for attempt in $(seq 1 60); do curl -fsS -o /dev/null http://127.0.0.1/health && break; sleep 2; done',
    'curl -fsS -o /dev/null http://127.0.0.1/health',
  );
  return ud;
}

/** The server (also run by test/reference-app/user-data.cases.ts, on a free port). */
export const SERVER = `import json, os, socket, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REGION = os.environ.get('APP_REGION', 'unknown')
DATABASE = os.environ.get('APP_DATABASE', '')
DATABASE_PORT = int(os.environ.get('APP_DATABASE_PORT', '5432'))
PORT = int(os.environ.get('APP_PORT', '80'))


def availability_zone():
    try:
        token = urllib.request.urlopen(urllib.request.Request('http://169.254.169.254/latest/api/token', method='PUT', headers={'X-aws-ec2-metadata-token-ttl-seconds': '60'}), timeout=1).read().decode()
        return urllib.request.urlopen(urllib.request.Request('http://169.254.169.254/latest/meta-data/placement/availability-zone', headers={'X-aws-ec2-metadata-token': token}), timeout=1).read().decode()
    except OSError:
        return 'unknown'


AZ = availability_zone()


def database_reachable():
    if not DATABASE:
        return None
    try:
        with socket.create_connection((DATABASE, DATABASE_PORT), timeout=1):
            return True
    except OSError:
        return False


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/health':
            self.reply(200, 'text/plain', b'ok\\n')
        elif self.path == '/':
            page = {'region': REGION, 'availabilityZone': AZ, 'database': DATABASE, 'databaseReachable': database_reachable()}
            self.reply(200, 'application/json', (json.dumps(page) + '\\n').encode())
        else:
            self.reply(404, 'text/plain', b'not found\\n')

    def reply(self, code, content_type, body):
        self.send_response(code)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(('', PORT), Handler).serve_forever()`;
