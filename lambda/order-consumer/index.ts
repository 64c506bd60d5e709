import { Logger } from '@aws-lambda-powertools/logger';

/** The part of an SQS event record the consumer reads. */
export interface QueueRecord {
  readonly messageId: string;
  readonly body: string;
}

/** An order message, as the reference app's web tier sends it. */
export interface OrderMessage {
  readonly orderId: string;
  readonly quantity: number;
}

const logger = new Logger({ serviceName: 'order-consumer' });

/** Parse and check one message; throws on a malformed one. */
export function parseOrder(body: string): OrderMessage {
  const m = JSON.parse(body) as Partial<OrderMessage>;
  if (typeof m.orderId !== 'string' || m.orderId.length === 0) throw new Error('orderId must be a non-empty string');
  if (!Number.isInteger(m.quantity) || (m.quantity as number) < 1) throw new Error('quantity must be a positive integer');
  return { orderId: m.orderId, quantity: m.quantity as number };
}

/**
 * The reference app's order consumer, behind a DecoupledQueue. It reports partial batch
 * failures (`ReportBatchItemFailures`): only the messages that failed return to the queue,
 * and after the queue's maxReceiveCount they move to its dead-letter queue; the rest of
 * the batch is done.
 */
export async function handler(event: { Records: QueueRecord[] }): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    try {
      const order = parseOrder(record.body);
      logger.info('order fulfilled', { orderId: order.orderId, quantity: order.quantity });
    } catch (e) {
      logger.warn('order failed; it returns to the queue', { messageId: record.messageId, error: (e as Error).message });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
