import { handler, parseOrder } from '../../lambda/order-consumer';

describe('order consumer', () => {
  test('reports only the failed messages of a batch', async () => {
    const result = await handler({
      Records: [
        { messageId: 'a', body: JSON.stringify({ orderId: 'o-1', quantity: 2 }) },
        { messageId: 'b', body: 'not json' },
        { messageId: 'c', body: JSON.stringify({ orderId: 'o-3', quantity: 0 }) },
        { messageId: 'd', body: JSON.stringify({ orderId: 'o-4', quantity: 1 }) },
      ],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'c' }] });
  });

  test('an all-good batch reports nothing', async () => {
    expect(await handler({ Records: [{ messageId: 'a', body: '{"orderId":"x","quantity":1}' }] })).toEqual({ batchItemFailures: [] });
  });

  test.each([['{"quantity":1}', /orderId/], ['{"orderId":"x","quantity":1.5}', /positive integer/]])('%s is refused', (body, message) => {
    expect(() => parseOrder(body)).toThrow(message);
  });
});
