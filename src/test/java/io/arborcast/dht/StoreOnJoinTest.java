package io.arborcast.dht;

import io.arborcast.core.ChannelRecord;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.dht.DhtResults.FindResult;
import io.arborcast.sim.workload.DhtPopulation;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A record published on a lone node is found by every node that joins later (Kademlia's store-on-join). */
class StoreOnJoinTest {
    @Test
    void recordPublishedBeforeTheNetworkGrewIsFoundByLaterJoiners() {
        Simulation sim = new Simulation();
        SimNetwork net = new SimNetwork(sim, SimNetwork.Config.defaults(),
                new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 9);
        DhtPopulation pop = new DhtPopulation(net, DhtConfig.defaults(), 9);
        ChannelKey key = ChannelKey.generate();
        ChannelRecord record = ChannelRecords.create(key, "early", "audio/mpeg", 128, 0, 1);
        pop.add().publish(record, o -> { }); // the bootstrap is alone: the record is stored only there
        pop.joinAll(300, 20, j -> { });
        sim.runUntil(300 * 20L + 30_000); // far less than the 20-minute republish interval
        List<FindResult> found = new ArrayList<>();
        for (int i = 1; i < pop.size(); i += 10) {
            pop.dht(i).find(key.channelId(), found::add);
        }
        sim.runUntil(sim.now() + 30_000);
        assertThat(found).hasSize(30).allSatisfy(f -> assertThat(f.found()).isTrue());
        long holders = 0;
        for (int i = 0; i < pop.size(); i++) {
            holders += pop.dht(i).storedRecords();
        }
        assertThat(holders).as("replicated to the new closest nodes").isGreaterThanOrEqualTo(DhtConfig.defaults().k());
    }
}
