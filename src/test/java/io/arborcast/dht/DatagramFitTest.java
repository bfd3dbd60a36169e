package io.arborcast.dht;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.Message;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;
import io.arborcast.core.Transport;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Answers are trimmed to one datagram: fewer contacts (then providers) rather than a bigger packet. */
class DatagramFitTest {
    @Test
    void findValueAnswerWithLongAddressesFitsOneDatagram() {
        Simulation sim = new Simulation();
        MessageCodec codec = new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME);
        SimNode env = new SimNetwork(sim, SimNetwork.Config.defaults(), codec, 1).addNode(NodeId.random(new Random(1)));
        List<Message> sent = new ArrayList<>();
        Transport capture = new Transport() {
            @Override
            public PeerAddress localAddress() {
                return env.localAddress();
            }

            @Override
            public void send(PeerAddress to, Message m) {
                sent.add(m);
            }

            @Override
            public void closeLink(PeerAddress peer) {
            }
        };
        DhtConfig config = DhtConfig.defaults();
        DhtNode dht = new DhtNode(config, env, capture, codec);
        ChannelKey key = ChannelKey.generate();
        dht.publish(ChannelRecords.create(key, "N".repeat(100), "audio/ogg; codecs=opus", 96, 0, 1), o -> { });
        Random r = new Random(2);
        for (int i = 0; i < 300; i++) { // long IPv6 hosts from all over the id space
            PeerAddress p = new PeerAddress(NodeId.random(r),
                    String.format("2001:db8:%x:%x:%x:%x:%x:%x", i, r.nextInt(65536), r.nextInt(65536),
                            r.nextInt(65536), r.nextInt(65536), r.nextInt(65536)), 40000 + i);
            dht.onMessage(p, new DhtMessage.AnnounceProvider(i + 1, key.channelId(), new ProviderInfo(p, 3, 2), 300));
        }
        sent.clear();
        PeerAddress asker = new PeerAddress(NodeId.random(r), "2001:db8::1", 7144);
        dht.onMessage(asker, new DhtMessage.FindValue(99, key.channelId()));
        dht.onMessage(asker, new DhtMessage.FindNode(100, key.channelId()));
        DhtMessage.Value v = (DhtMessage.Value) sent.get(0);
        DhtMessage.Nodes n = (DhtMessage.Nodes) sent.get(1);
        assertThat(codec.sizeOf(v)).isLessThanOrEqualTo(config.maxDatagramPayload());
        assertThat(codec.sizeOf(n)).isLessThanOrEqualTo(config.maxDatagramPayload());
        assertThat(v.record()).isNotNull();
        assertThat(v.contacts().size() + v.providers().size()).isLessThan(20 + 16); // something had to go
        assertThat(n.contacts()).isNotEmpty();
    }
}
