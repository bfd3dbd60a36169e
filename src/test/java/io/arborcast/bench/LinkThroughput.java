package io.arborcast.bench;

import io.arborcast.core.Message;
import io.arborcast.core.MessageHandler;
import io.arborcast.core.NodeId;
import io.arborcast.crypto.NodeIdentity;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.StreamMessage;
import io.arborcast.net.NetConfig;
import io.arborcast.net.NettyTransport;

import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loopback TCP throughput of peer-link frames: one transport sends N chunk frames of a given
 * payload size to another, which counts them. Run by bench/link-throughput.sh; prints one
 * result line per run.
 */
public final class LinkThroughput {
    private LinkThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int payload = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Random r = new Random(1);
        for (int run = 0; run <= runs; run++) { // run 0 warms up
            try (NettyTransport a = NettyTransport.start(NetConfig.loopback(0), NodeIdentity.generate(NetConfig.DEFAULT_ID_DIFFICULTY));
                 NettyTransport b = NettyTransport.start(NetConfig.loopback(0), NodeIdentity.generate(NetConfig.DEFAULT_ID_DIFFICULTY))) {
                CountDownLatch done = new CountDownLatch(1);
                AtomicLong got = new AtomicLong();
                b.setHandler(new MessageHandler() {
                    @Override
                    public void onMessage(PeerAddress from, Message m) {
                        if (got.incrementAndGet() == frames) {
                            done.countDown();
                        }
                    }

                    @Override
                    public void onLinkClosed(PeerAddress peer, String reason) {
                    }
                });
                byte[] body = new byte[payload];
                r.nextBytes(body);
                NodeId channel = NodeId.random(r);
                PeerAddress to = b.localAddress();
                long start = System.nanoTime();
                // send in batches from the event loop so the link's write buffer drains between them
                sendBatches(a, to, channel, body, frames, 0);
                if (!done.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("only " + got.get() + " of " + frames + " frames arrived");
                }
                double secs = (System.nanoTime() - start) / 1e9;
                if (run > 0) {
                    System.out.printf("run %d: %d frames of %d B payload in %.2f s = %.0f frames/s, %.1f MiB/s%n",
                            run, frames, payload, secs, frames / secs, frames * (double) payload / secs / (1 << 20));
                }
            }
        }
    }

    private static void sendBatches(NettyTransport a, PeerAddress to, NodeId channel, byte[] body, int total, int sent) {
        a.execute(() -> {
            int i = sent;
            while (i < total && a.linkWritable(to)) {
                a.send(to, new StreamMessage.Chunk(channel, i, i, body, new byte[64]));
                i++;
            }
            if (i < total) {
                int next = i;
                a.environment().schedule(0, () -> sendBatches(a, to, channel, body, total, next));
            }
        });
    }
}
