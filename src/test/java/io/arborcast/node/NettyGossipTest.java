package io.arborcast.node;

import io.arborcast.core.GossipMessage;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.crypto.NodeIdentity;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.gossip.ChannelGossip;
import io.arborcast.gossip.GossipConfig;
import io.arborcast.net.NetConfig;
import io.arborcast.net.NettyTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Gossip over real Netty links and datagrams on 127.0.0.1: join, shuffle, detect a killed peer. */
class NettyGossipTest {
    private final List<NettyTransport> transports = new ArrayList<>();
    private final List<ChannelGossip> peers = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> deaths = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stop() {
        transports.forEach(NettyTransport::close);
    }

    private <T> T onLoop(int i, java.util.function.Supplier<T> f) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        transports.get(i).execute(() -> out.complete(f.get()));
        return out.get(5, TimeUnit.SECONDS);
    }

    @Test
    void eightRealPeersFormAnOverlayAndDetectAKilledOne() throws Exception {
        NodeId channel = NodeId.random(new Random(1));
        GossipConfig config = new GossipConfig(3, 10, 4, 2, 1_000, 1, 2, 200, 200, 500, 300, 500);
        for (int i = 0; i < 8; i++) {
            NettyTransport t = NettyTransport.start(NetConfig.loopback(0), NodeIdentity.generate(NetConfig.DEFAULT_ID_DIFFICULTY));
            transports.add(t);
            int index = i;
            CompletableFuture<ChannelGossip> g = new CompletableFuture<>();
            t.execute(() -> g.complete(new ChannelGossip(channel, config, t.environment(), t,
                    (peer, why) -> deaths.add(index + ": " + peer.port() + " " + why))));
            ChannelGossip gossip = g.get(5, TimeUnit.SECONDS);
            peers.add(gossip);
            t.setHandler(new MessageRouter().on(GossipMessage.class, gossip::onMessage)
                    .onLinkClosed(gossip::onLinkClosed));
        }
        PeerAddress first = transports.get(0).localAddress();
        for (int i = 1; i < 8; i++) {
            int index = i;
            onLoop(i, () -> {
                peers.get(index).join(first);
                return null;
            });
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            for (int i = 0; i < 8; i++) {
                int index = i;
                if (onLoop(i, () -> peers.get(index).activeView().size()) < 1
                        || onLoop(i, () -> peers.get(index).passiveView().size()) < 1) {
                    return false;
                }
            }
            return true;
        });
        // nobody was suspected; a link a peer closed on purpose (a trimmed active view, the
        // duplicate-link tie-break) may be reported while the overlay forms
        assertThat(deaths).allMatch(d -> d.endsWith("closed by peer"));
        deaths.clear();
        // shuffles crossed as datagrams: passive views hold peers learned second hand
        int victim = 5;
        int victimPort = transports.get(victim).localAddress().port();
        List<Integer> watchers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int index = i;
            if (i != victim && onLoop(i, () -> peers.get(index).activeView().stream().map(PeerState::address)
                    .anyMatch(a -> a.port() == victimPort))) {
                watchers.add(i);
            }
        }
        assertThat(watchers).isNotEmpty();
        transports.get(victim).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> watchers.stream().allMatch(
                w -> deaths.stream().anyMatch(d -> d.startsWith(w + ": " + victimPort))));
        for (int w : watchers) {
            assertThat(onLoop(w, () -> peers.get(w).activeView().stream()
                    .noneMatch(p -> p.address().port() == victimPort))).isTrue();
        }
    }
}
