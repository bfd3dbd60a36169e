package io.arborcast.dht;

import io.arborcast.core.ChannelRecord;
import io.arborcast.core.LimitCounters;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;
import io.arborcast.crypto.ChannelKey;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RecordStoreTest {
    private final ChannelKey key = ChannelKey.generate();
    private final DhtConfig config = DhtConfig.defaults();

    @Test
    void acceptsValidRecordsAndNewerSequencesOnly() {
        RecordStore s = new RecordStore(config, new LimitCounters());
        ChannelRecord v1 = ChannelRecords.create(key, "Radio", "audio/mpeg", 128, 1000, 1);
        ChannelRecord v2 = ChannelRecords.create(key, "Radio 2", "audio/mpeg", 128, 1000, 2);
        assertThat(s.putRecord(v1, 0)).isNull();
        assertThat(s.putRecord(v2, 1)).isNull();
        assertThat(s.putRecord(v1, 2)).startsWith("stale sequence");
        assertThat(s.record(key.channelId(), 3)).isEqualTo(v2);
        ChannelRecord sameSeq = ChannelRecords.create(key, "Other", "audio/mpeg", 128, 1000, 2);
        assertThat(s.putRecord(sameSeq, 4)).contains("same sequence");
        assertThat(s.putRecord(v2, 5)).isNull(); // identical republish refreshes
        assertThat(s.record(key.channelId(), 5 + config.recordTtlMillis())).isNull(); // expired
    }

    @Test
    void refusesForgedRecords() {
        RecordStore s = new RecordStore(config, new LimitCounters());
        ChannelRecord good = ChannelRecords.create(key, "Radio", "audio/mpeg", 128, 1000, 1);
        byte[] badSig = good.signature().clone();
        badSig[3] ^= 1;
        assertThat(s.putRecord(good.withSignature(badSig), 0)).isEqualTo("bad signature");
        // signed by another key, claiming our channel id
        ChannelKey thief = ChannelKey.generate();
        ChannelRecord stolen = new ChannelRecord(key.channelId(), "Hijack", "audio/mpeg", 128, 1000, 9,
                thief.publicKey(), new byte[0]);
        stolen = stolen.withSignature(thief.sign(stolen.signedBytes()));
        assertThat(s.putRecord(stolen, 0)).isEqualTo("public key does not hash to the channel id");
        // a modified field invalidates the signature
        ChannelRecord renamed = new ChannelRecord(good.channelId(), "Renamed", good.contentType(), good.bitrateKbps(),
                good.createdAtMillis(), good.sequence(), good.publicKey(), good.signature());
        assertThat(s.putRecord(renamed, 0)).isEqualTo("bad signature");
        assertThat(s.recordCount()).isZero();
    }

    @Test
    void providersAreCappedSampledAndExpire() {
        DhtConfig small = new DhtConfig(20, 3, 1000, 500, 2, 0, 0, 8, 60_000, 3_600_000, 3, 3_600_000, 1_200_000, 300_000, 4, 5, 10, 20, 100, 6,
                100, 1380);
        RecordStore s = new RecordStore(small, new LimitCounters());
        Random r = new Random(1);
        NodeId channel = NodeId.random(r);
        for (int i = 0; i < 5; i++) {
            assertThat(s.putProvider(channel, provider(r, i), 300_000, 0)).isNull();
        }
        assertThat(s.putProvider(channel, provider(r, 9), 300_000, 0)).contains("provider cap");
        assertThat(s.sampleProviders(channel, 4, r, 1)).hasSize(4).doesNotHaveDuplicates();
        assertThat(s.providerCount()).isEqualTo(5);
        // after expiry there is room again
        assertThat(s.putProvider(channel, provider(r, 10), 300_000, 300_001)).isNull();
        assertThat(s.sampleProviders(channel, 10, r, 300_002)).hasSize(1);
    }

    @Test
    void theDepthZeroProviderIsInEverySampleHoweverManyRelaysThereAre() {
        RecordStore s = new RecordStore(DhtConfig.defaults(), new LimitCounters());
        Random r = new Random(2);
        NodeId channel = NodeId.random(r);
        for (int i = 0; i < 60; i++) {
            assertThat(s.putProvider(channel, provider(r, i), 300_000, 0)).isNull();
        }
        ProviderInfo source = new ProviderInfo(new PeerAddress(NodeId.random(r), "192.0.2.200", 7144), 0, 0);
        assertThat(s.putProvider(channel, source, 300_000, 0)).isNull();
        Set<NodeId> seen = new HashSet<>();
        for (int k = 0; k < 50; k++) {
            List<ProviderInfo> sample = s.sampleProviders(channel, 16, r, 1);
            assertThat(sample).hasSize(16).doesNotHaveDuplicates().contains(source);
            sample.forEach(p -> seen.add(p.address().id()));
        }
        assertThat(seen).as("the relays are still sampled at random").hasSizeGreaterThan(50);
    }

    @Test
    void providersOfAllChannelsTogetherAreCapped() {
        DhtConfig small = new DhtConfig(20, 3, 1000, 500, 2, 0, 0, 8, 60_000, 3_600_000, 3, 3_600_000, 1_200_000, 300_000, 4, 5, 10, 20, 100, 6,
                100, 1380);
        LimitCounters limits = new LimitCounters();
        RecordStore s = new RecordStore(small, limits);
        Random r = new Random(2);
        for (int i = 0; i < 20; i++) { // 5 channels of 4: within both caps
            assertThat(s.putProvider(NodeId.fromPrefix(new byte[]{(byte) (i / 4), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 0, 0}), provider(r, i), 300_000, 0)).isNull();
        }
        assertThat(s.putProvider(NodeId.random(r), provider(r, 20), 300_000, 0)).isEqualTo("provider store full");
        assertThat(s.providerCount()).isEqualTo(20);
        assertThat(limits.count(io.arborcast.core.Limit.STORED_PROVIDERS)).isEqualTo(1);
        // refreshing a stored provider is not a new one
        assertThat(s.putProvider(NodeId.fromPrefix(new byte[20]), provider(new Random(2), 0), 300_000, 1)).isNull();
        // once they expire there is room again
        assertThat(s.putProvider(NodeId.random(r), provider(r, 21), 300_000, 300_001)).isNull();
    }

    private static ProviderInfo provider(Random r, int i) {
        return new ProviderInfo(new PeerAddress(NodeId.random(r), "192.0.2." + (i + 1), 7144), 1, 2);
    }
}
