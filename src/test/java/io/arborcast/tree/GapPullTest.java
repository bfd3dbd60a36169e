package io.arborcast.tree;

import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerState;
import io.arborcast.core.TreeMessage;
import io.arborcast.sim.net.LatencyModel;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The asking side of gap pull: neighbours that left a pull unanswered are passed over while others are left. */
class GapPullTest {
    private final Simulation sim = new Simulation();
    private final SimNetwork net = new SimNetwork(sim, new SimNetwork.Config(LatencyModel.internet(), 0, 3_000, 5_000),
            new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 4);
    private final Random random = new Random(7);

    @Test
    void neighboursThatSentNothingAreAskedAgainOnlyWhenNobodyElseIsLeft() {
        SimNode asker = net.addNode(NodeId.random(random));
        asker.setHandler(new MessageRouter());
        GapPull pull = new GapPull(NodeId.random(random), asker, asker, new TreeStats(), 500,
                new ReplayBudget(asker, 240));
        List<PeerState> neighbours = new ArrayList<>();
        List<List<Long>> asked = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // three neighbours that never answer
            SimNode n = net.addNode(NodeId.random(random));
            List<Long> log = new ArrayList<>();
            n.setHandler(new MessageRouter().on(TreeMessage.Pull.class, (from, p) -> log.add(sim.now())));
            asked.add(log);
            neighbours.add(new PeerState(n.localAddress(), 2, 1, 0, 5_000, 0, 1));
        }
        pull.ask(neighbours, 10, 4);
        sim.runUntil(GapPull.ANSWER_MILLIS + 1);
        pull.expire();
        int silentSoFar = (int) asked.stream().filter(l -> !l.isEmpty()).count();
        assertThat(silentSoFar).as("two asked at a time").isEqualTo(2);

        pull.ask(neighbours, 10, 4);
        sim.runUntil(sim.now() + 1_000);
        assertThat(asked).as("only the one not asked before").allSatisfy(l -> assertThat(l).hasSize(1));

        sim.runUntil(sim.now() + GapPull.ANSWER_MILLIS);
        pull.expire();
        pull.ask(neighbours, 10, 4); // all three left it unanswered: two of them are asked again
        sim.runUntil(sim.now() + 1_000);
        assertThat(asked.stream().mapToInt(List::size).sum()).isEqualTo(5);
    }
}
