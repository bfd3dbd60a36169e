package io.arborcast.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class MessageRouterTest {
    @Test
    void routesByTypeFirstMatchWinsAndCountsTheRest() {
        List<String> log = new ArrayList<>();
        MessageRouter r = new MessageRouter()
                .on(DhtMessage.Ping.class, (from, m) -> log.add("ping " + m.rpcId()))
                .on(DhtMessage.class, (from, m) -> log.add("dht " + m.getClass().getSimpleName()))
                .onLinkClosed((peer, why) -> log.add("closed a: " + why))
                .onLinkClosed((peer, why) -> log.add("closed b: " + why));
        PeerAddress p = new PeerAddress(NodeId.random(new Random(1)), "192.0.2.1", 7144);
        r.onMessage(p, new DhtMessage.Ping(7));
        r.onMessage(p, new DhtMessage.Pong(8, ""));
        r.onMessage(p, new LinkMessage.Heartbeat(1));
        r.onLinkClosed(p, "gone");
        assertThat(log).containsExactly("ping 7", "dht Pong", "closed a: gone", "closed b: gone");
        assertThat(r.unrouted()).isEqualTo(1);
    }
}
