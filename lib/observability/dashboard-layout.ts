import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** One widget of a synthesized dashboard: its place on the 24-column grid and its title. */
export interface DashboardWidgetBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly title: string;
}

/** The widgets of a dashboard as CloudWatch will lay them out (tokens shown as `…`). */
export function dashboardWidgets(dashboard: cloudwatch.Dashboard): DashboardWidgetBox[] {
  const cfn = dashboard.node.defaultChild as cloudwatch.CfnDashboard;
  const body = Stack.of(dashboard).resolve(cfn.dashboardBody) as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '…')).join('');
  const parsed = JSON.parse(text) as { widgets: { x: number; y: number; width: number; height: number; properties: { title?: string; markdown?: string } }[] };
  return parsed.widgets.map((w) => ({ x: w.x, y: w.y, width: w.width, height: w.height, title: w.properties.title ?? (w.properties.markdown ?? '').split('\n')[0].replace(/^#\s*/, '') }));
}

/**
 * A text picture of a dashboard's layout: one box per widget on the 24-column grid, four
 * characters per column and one line per grid row.
 */
export function renderDashboardLayout(dashboard: cloudwatch.Dashboard): string {
  const boxes = dashboardWidgets(dashboard);
  const cols = 4;
  const width = 24 * cols + 1;
  const height = Math.max(...boxes.map((b) => b.y + b.height)) + 1;
  const grid = Array.from({ length: height }, () => Array<string>(width).fill(' '));
  for (const b of boxes) {
    const [x0, x1, y0, y1] = [b.x * cols, (b.x + b.width) * cols, b.y, b.y + b.height];
    for (let x = x0; x <= x1; x++) {
      grid[y0][x] = grid[y0][x] === '|' || grid[y0][x] === '+' ? '+' : '-';
      grid[y1][x] = grid[y1][x] === '|' || grid[y1][x] === '+' ? '+' : '-';
    }
    for (let y = y0; y <= y1; y++) {
      grid[y][x0] = y === y0 || y === y1 || grid[y][x0] === '-' ? '+' : '|';
      grid[y][x1] = y === y0 || y === y1 || grid[y][x1] === '-' ? '+' : '|';
    }
    const room = x1 - x0 - 3;
    const words = b.title.split(' ');
    const lines: string[] = [];
    for (const word of words) {
      const last = lines[lines.length - 1];
      if (last !== undefined && `${last} ${word}`.length <= room) lines[lines.length - 1] = `${last} ${word}`;
      else lines.push(word.slice(0, room));
    }
    lines.slice(0, y1 - y0 - 1).forEach((line, i) => {
      for (let k = 0; k < line.length; k++) grid[y0 + 1 + i][x0 + 2 + k] = line[k];
    });
  }
  return grid.map((row) => row.join('').trimEnd()).join('\n');
}
