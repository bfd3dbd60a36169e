package io.arborcast.tree;

import io.arborcast.core.Message;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.Transport;
import io.arborcast.core.TreeMessage;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.sim.net.LatencyModel;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An orphan whose every candidate is unreachable (each connect refused at once, as for an
 * address that is nobody's or our own) asks at a bounded rate and passes over those that
 * failed, instead of the 100-150 ATTACHes a second once seen on a real network. Virtual time.
 */
class AttachRateTest {
    private static final ChannelKey KEY = ChannelKey.generate();

    @Test
    void anOrphanWhoseCandidatesAllRefuseConnectsSendsAtMostFiveAttachesASecond() {
        Simulation sim = new Simulation();
        SimNetwork net = new SimNetwork(sim, new SimNetwork.Config(LatencyModel.internet(), 0, 3_000, 5_000),
                new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 1);
        Random random = new Random(9);
        SimNode node = net.addNode(NodeId.random(random));
        List<PeerState> unreachable = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            unreachable.add(new PeerState(new PeerAddress(NodeId.random(random), "198.51.100." + (i + 1), 7144),
                    1, 4, 0, 512, 60, 1));
        }
        List<Long> attachTimes = new ArrayList<>();
        Map<NodeId, Integer> attachesPer = new HashMap<>();
        ChannelTree[] tree = new ChannelTree[1];
        Transport refusing = new Transport() {
            @Override
            public PeerAddress localAddress() {
                return node.localAddress();
            }

            @Override
            public void send(PeerAddress to, Message m) {
                if (m instanceof TreeMessage.Attach) {
                    attachTimes.add(sim.now());
                    attachesPer.merge(to.id(), 1, Integer::sum);
                }
                sim.after(1, () -> tree[0].onLinkClosed(to, "connect refused"));
            }

            @Override
            public void closeLink(PeerAddress peer) {
            }
        };
        tree[0] = ChannelTree.listener(KEY.channelId(), KEY.publicKey(), TreeConfig.relay(4), node, refusing,
                () -> unreachable, c -> { });
        tree[0].join();
        sim.runUntil(20_000);

        assertThat(attachTimes).as("it keeps trying").hasSizeGreaterThan(20);
        for (int i = AttachPacing.MAX_PER_SECOND; i < attachTimes.size(); i++) {
            assertThat(attachTimes.get(i) - attachTimes.get(i - AttachPacing.MAX_PER_SECOND))
                    .as("the ATTACHes around number " + i).isGreaterThanOrEqualTo(1_000);
        }
        assertThat(attachTimes.size()).isLessThanOrEqualTo(20 * AttachPacing.MAX_PER_SECOND);
        assertThat(attachesPer.values().stream().mapToInt(Integer::intValue).max().orElseThrow())
                .as("a candidate that could not be reached is passed over, not asked again and again")
                .isLessThanOrEqualTo(3);
    }
}
