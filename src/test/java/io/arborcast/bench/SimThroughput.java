package io.arborcast.bench;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.Message;
import io.arborcast.core.MessageHandler;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.dht.DhtConfig;
import io.arborcast.sim.workload.DhtPopulation;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.wire.MessageCodec;

import java.util.Random;

/**
 * Raw simulator throughput and DHT memory per node (run by bench/sim-throughput.sh):
 * 1. the bare event queue; 2. message passing between virtual nodes (ping-pong over the
 * simulated network, codec sizing included); 3. live heap per DHT node after N joins.
 */
public final class SimThroughput {
    private SimThroughput() {
    }

    public static void main(String[] args) {
        int dhtNodes = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        for (int run = 0; run < 3; run++) {
            bareQueue(10_000_000, run > 0);
            messagePassing(10_000, 2_000_000, run > 0);
        }
        dhtMemory(dhtNodes);
    }

    private static void bareQueue(int events, boolean print) {
        Simulation sim = new Simulation();
        Random r = new Random(1);
        long[] counter = {0};
        Runnable[] self = new Runnable[1];
        self[0] = () -> {
            if (++counter[0] < events) {
                sim.after(r.nextInt(100), self[0]);
            }
        };
        for (int i = 0; i < 10_000; i++) { // 10k events in flight, like a busy network
            sim.after(r.nextInt(100), self[0]);
        }
        long start = System.nanoTime();
        while (sim.step()) {
            // run
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (print) {
            System.out.printf("event queue:      %,d events in %.2f s = %,.0f events/s%n", sim.eventsProcessed(), secs,
                    sim.eventsProcessed() / secs);
        }
    }

    private static void messagePassing(int nodes, int messages, boolean print) {
        Simulation sim = new Simulation();
        SimNetwork net = new SimNetwork(sim, SimNetwork.Config.defaults(),
                new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 1);
        Random r = new Random(2);
        long[] sent = {0};
        for (int i = 0; i < nodes; i++) {
            SimNode n = net.addNode(NodeId.random(r));
            n.setHandler(new MessageHandler() {
                @Override
                public void onMessage(PeerAddress from, Message m) {
                    if (sent[0]++ < messages) { // answer with a ping to a random node
                        n.send(net.node(r.nextInt(nodes)).localAddress(), new DhtMessage.Ping(sent[0]));
                    }
                }

                @Override
                public void onLinkClosed(PeerAddress peer, String reason) {
                }
            });
        }
        for (int i = 0; i < nodes; i++) {
            net.node(i).send(net.node(r.nextInt(nodes)).localAddress(), new DhtMessage.Ping(i));
        }
        long start = System.nanoTime();
        while (sim.step()) {
            // run
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (print) {
            System.out.printf("message passing:  %,d deliveries between %,d nodes in %.2f s = %,.0f events/s%n",
                    sim.eventsProcessed(), nodes, secs, sim.eventsProcessed() / secs);
        }
    }

    private static void dhtMemory(int n) {
        long before = usedAfterGc();
        Simulation sim = new Simulation();
        SimNetwork net = new SimNetwork(sim, SimNetwork.Config.defaults(),
                new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 3);
        DhtPopulation pop = new DhtPopulation(net, DhtConfig.defaults(), 3);
        pop.joinAll(n - 1, 5, r -> {
        });
        long start = System.nanoTime();
        sim.runUntil(n * 5L + 60_000);
        double secs = (System.nanoTime() - start) / 1e9;
        long tables = 0;
        for (int i = 0; i < pop.size(); i++) {
            tables += pop.dht(i).routingTable().size();
        }
        long used = usedAfterGc() - before;
        System.out.printf("dht joins:        %,d nodes joined by real messages in %.1f s wall (%,d events, %,.0f events/s)%n",
                n, secs, sim.eventsProcessed(), sim.eventsProcessed() / secs);
        System.out.printf("dht memory:       %,d bytes live heap per node (%.1f KiB), %.0f contacts per routing table%n",
                used / n, used / 1024.0 / n, (double) tables / n);
        if (pop.size() < 0) {
            System.out.println(net); // keep the population reachable until measured
        }
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
