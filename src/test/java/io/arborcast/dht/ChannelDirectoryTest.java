package io.arborcast.dht;

import io.arborcast.core.ChannelListing;
import io.arborcast.core.NodeId;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.dht.DhtResults.ListingsResult;
import io.arborcast.sim.workload.DhtPopulation;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The channel directory: what a node keeps under a directory key (verified, newest wins, an
 * end replaces a live listing, a full key keeps the channels with audiences), and listings
 * found by real lookups in a network of 300 virtual nodes.
 */
class ChannelDirectoryTest {
    private static final long TTL = 300_000;
    private static final String HOST = "192.0.2.1";
    private final Random random = new Random(11);

    private static ChannelListing listing(ChannelKey key, String name, String genre, int listeners, long sequence) {
        return ChannelListings.create(key, name, genre, "", "", "audio/mpeg", 128, 1_700_000_000_000L, listeners,
                sequence);
    }

    @Test
    void aNodeKeepsOnlyVerifiedListingsUnderTheirOwnKeysAndTheNewestOfEach() {
        ListingStore store = new ListingStore();
        ChannelKey key = ChannelKey.generate();
        ChannelListing jazz = listing(key, "Night FM", "Jazz", 7, 1);
        NodeId all = ChannelListings.shardOf(jazz.channelId());
        NodeId genre = ChannelListings.genreKey(" JAZZ ");
        assertThat(store.put(all, jazz, HOST, TTL, 0)).isNull();
        assertThat(store.put(genre, jazz, HOST, TTL, 0)).as("the genre's key, however it is written").isNull();
        assertThat(store.put(ChannelListings.genreKey("rock"), jazz, HOST, TTL, 0)).contains("not this one");
        NodeId otherShard = ChannelListings.all().stream().filter(k -> !k.equals(all)).findFirst().orElseThrow();
        assertThat(store.put(otherShard, jazz, HOST, TTL, 0)).contains("not this one");
        ChannelListing forged = new ChannelListing(jazz.channelId(), "Hijacked", "Jazz", "", "", "audio/mpeg", 128, 0,
                9_999, true, 5, jazz.publicKey(), jazz.signature());
        assertThat(store.put(all, forged, HOST, TTL, 1)).isEqualTo("bad signature");
        ChannelListing other = listing(ChannelKey.generate(), "Other", "Jazz", 1, 1);
        ChannelListing stolen = new ChannelListing(jazz.channelId(), other.name(), other.genre(), "", "",
                other.contentType(), 128, other.startedAtMillis(), 1, true, 1, other.publicKey(), other.signature());
        assertThat(store.put(all, stolen, HOST, TTL, 1)).isEqualTo("public key does not hash to the channel id");

        ChannelListing newer = listing(key, "Night FM", "Jazz", 30, 2);
        assertThat(store.put(all, newer, HOST, TTL, 2)).isNull();
        assertThat(store.put(all, jazz, HOST, TTL, 3)).as("an old listing replayed").startsWith("stale sequence");
        assertThat(store.all(all, 4)).containsExactly(newer);

        ChannelListing ended = ChannelListings.ended(key, newer, 3);
        assertThat(store.put(all, ended, HOST, TTL, 5)).isNull();
        assertThat(store.all(all, 6)).containsExactly(ended);
        assertThat(store.all(genre, TTL - 1)).containsExactly(jazz);
        assertThat(store.all(genre, TTL)).as("expired").isEmpty();
        assertThat(store.count()).isEqualTo(2);
        store.expire(TTL);
        assertThat(store.count()).isEqualTo(1);
    }

    @Test
    void aChannelRelistedTooOftenIsRefusedButItsEndGoesThrough() {
        ListingStore store = new ListingStore();
        ChannelKey key = ChannelKey.generate();
        NodeId all = ChannelListings.shardOf(key.channelId());
        assertThat(store.put(all, listing(key, "Busy", "", 0, 1), HOST, TTL, 0)).isNull();
        for (int i = 1; i <= ListingStore.UPDATES_PER_MINUTE; i++) {
            assertThat(store.put(all, listing(key, "Busy", "", i, 1 + i), HOST, TTL, i)).isNull();
        }
        ChannelListing tooSoon = listing(key, "Busy", "", 99, 100);
        assertThat(store.put(all, tooSoon, HOST, TTL, 100)).startsWith("rate limit: channel");
        assertThat(store.all(all, 101)).singleElement().extracting(ChannelListing::listeners)
                .isEqualTo(ListingStore.UPDATES_PER_MINUTE);
        assertThat(store.put(all, listing(key, "Busy", "", 12, 13), HOST, TTL, 102)).as("the same again: a refresh")
                .isNull();
        assertThat(store.put(all, tooSoon, HOST, TTL, 60_001)).as("a minute later").isNull();
        ChannelKey otherKey = ChannelKey.generate();
        while (!ChannelListings.shardOf(otherKey.channelId()).equals(all)) { // the same shard key
            otherKey = ChannelKey.generate();
        }
        ChannelListing other = listing(otherKey, "Calm", "", 0, 1);
        assertThat(store.put(all, other, HOST, TTL, 60_002)).isNull();
        assertThat(store.put(all, listing(key, "Busy", "", 1, 101), HOST, TTL, 60_003)).isNull();
        for (int i = 0; i < ListingStore.UPDATES_PER_MINUTE; i++) {
            store.put(all, listing(key, "Busy", "", i, 102 + i), HOST, TTL, 60_004);
        }
        assertThat(store.put(all, ChannelListings.ended(key, tooSoon, 200), HOST, TTL, 60_005)).as("an end").isNull();
        assertThat(store.all(all, 60_006)).filteredOn(ChannelListing::live).containsExactly(other);
    }

    @Test
    void aListingTooLargeForOneDatagramIsRefusedWithWhatToShorten() {
        Simulation sim = new Simulation();
        SimNetwork net = new SimNetwork(sim, SimNetwork.Config.defaults(),
                new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 6);
        DhtPopulation pop = new DhtPopulation(net, DhtConfig.defaults(), 6);
        pop.add();
        ChannelListing wordy = ChannelListings.create(ChannelKey.generate(), "語".repeat(100), "語".repeat(40),
                "語".repeat(200), "語".repeat(200), "audio/mpeg", 128, 0, 0, 1);
        assertThatThrownBy(() -> pop.dht(0).list(wordy, o -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit one datagram").hasMessageContaining("shorten");
    }

    @Test
    void aFloodOfChannelsWithNoAudienceCannotPushOutChannelsPeopleListenTo() {
        ListingStore store = new ListingStore();
        NodeId rock = ChannelListings.genreKey("rock");
        for (int i = 0; i < ListingStore.MAX_PER_KEY; i++) {
            assertThat(store.put(rock, listing(ChannelKey.generate(), "Rock " + i, "rock", 10 + i, 1), "10.0.0." + i, TTL, 0)).isNull();
        }
        for (int i = 0; i < 50; i++) {
            assertThat(store.put(rock, listing(ChannelKey.generate(), "Spam " + i, "rock", 0, 1), HOST, TTL, 1))
                    .startsWith("directory key full");
        }
        ChannelListing popular = listing(ChannelKey.generate(), "Big Rock", "rock", 5_000, 1);
        assertThat(store.put(rock, popular, HOST, TTL, 2)).isNull();
        List<ChannelListing> kept = store.all(rock, 3);
        assertThat(kept).hasSize(ListingStore.MAX_PER_KEY).first().isEqualTo(popular);
        assertThat(kept).noneMatch(l -> l.name().equals("Rock 0")).noneMatch(l -> l.name().startsWith("Spam"));

        // made-up audiences: one host gets its first few in, then no more under this key
        String liar = "198.51.100.7";
        for (int i = 0; i < ListingStore.MAX_PER_HOST; i++) {
            assertThat(store.put(rock, listing(ChannelKey.generate(), "Fake " + i, "rock", 1_000_000, 1), liar, TTL, 4))
                    .isNull();
        }
        assertThat(store.put(rock, listing(ChannelKey.generate(), "Fake more", "rock", 1_000_000, 1), liar, TTL, 5))
                .isEqualTo("host " + liar + " lists " + ListingStore.MAX_PER_HOST + " channels under this key already");
        assertThat(store.all(rock, 6)).hasSize(ListingStore.MAX_PER_KEY)
                .filteredOn(l -> l.name().startsWith("Rock ")).hasSize(ListingStore.MAX_PER_KEY - 1 - ListingStore.MAX_PER_HOST);
    }

    @Test
    void listingsAreFoundFromAnyNodeByGenreAndLeaveAtOnceWhenUnlisted() {
        Simulation sim = new Simulation();
        SimNetwork net = new SimNetwork(sim, SimNetwork.Config.defaults(),
                new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 5);
        DhtPopulation pop = new DhtPopulation(net, DhtConfig.defaults(), 5);
        int nodes = 300;
        pop.joinAll(nodes - 1, 20, j -> { });
        sim.runUntil(nodes * 20L + 30_000);

        String[] genres = {"Jazz", "Rock", "Talk"};
        List<ChannelKey> keys = new ArrayList<>();
        List<ChannelListing> listed = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ChannelKey key = ChannelKey.generate();
            ChannelListing l = listing(key, "Channel " + i, genres[i % 3], i, 1);
            keys.add(key);
            listed.add(l);
            pop.dht(random.nextInt(nodes)).list(l, o -> assertThat(o.accepted()).isGreaterThan(10));
        }
        sim.runUntil(sim.now() + 10_000);

        List<ListingsResult> everything = find(sim, pop, null, 20);
        assertThat(everything).allSatisfy(r -> assertThat(r.listings()).containsExactlyInAnyOrderElementsOf(listed));
        assertThat(everything.get(0).listings().get(0).name()).as("most listeners first").isEqualTo("Channel 11");
        assertThat(find(sim, pop, " JAZZ", 5)).allSatisfy(r ->
                assertThat(r.listings()).extracting(ChannelListing::name)
                        .containsExactly("Channel 9", "Channel 6", "Channel 3", "Channel 0"));
        // a search is answered by the nodes that keep the listings: only names with a word that begins with it
        assertThat(find(sim, pop, null, "1", 5)).allSatisfy(r -> assertThat(r.listings()).extracting(ChannelListing::name)
                .containsExactly("Channel 11", "Channel 10", "Channel 1"));
        assertThat(find(sim, pop, "rock", " CHANNEL 1", 5)).allSatisfy(r ->
                assertThat(r.listings()).extracting(ChannelListing::name).containsExactly("Channel 10", "Channel 1"));
        assertThat(find(sim, pop, null, "annel", 5)).allSatisfy(r -> assertThat(r.listings()).isEmpty());

        // a node asks once for all who ask it the same meanwhile, and answers again from that for a while
        DhtNode asker = pop.dht(7);
        List<ListingsResult> answers = new ArrayList<>();
        asker.findListings("jazz", "", answers::add);
        asker.findListings(" JAZZ ", "", answers::add);
        sim.runUntil(sim.now() + 4_000);
        assertThat(answers).hasSize(2);
        assertThat(answers.get(1)).isSameAs(answers.get(0));
        long served = pagesServed(pop);
        asker.findListings("Jazz", "", answers::add);
        assertThat(answers).hasSize(3).last().isSameAs(answers.get(0));
        assertThat(pagesServed(pop)).isEqualTo(served);
        sim.runUntil(sim.now() + ChannelDirectory.ANSWER_MILLIS);
        asker.findListings("Jazz", "", answers::add);
        sim.runUntil(sim.now() + 4_000);
        assertThat(answers).hasSize(4).last().isNotSameAs(answers.get(0));
        assertThat(pagesServed(pop)).isGreaterThan(served);

        // a new count replaces the old listing; an unlisted channel leaves every answer at once
        DhtNode publisher = pop.dht(0);
        publisher.list(listing(keys.get(0), "Channel 0", "Jazz", 500, 2), o -> { });
        publisher.unlist(ChannelListings.ended(keys.get(1), listed.get(1), 2), o -> { });
        sim.runUntil(sim.now() + 10_000);
        assertThat(find(sim, pop, null, 20)).allSatisfy(r -> {
            assertThat(r.listings()).hasSize(11).first().satisfies(l -> {
                assertThat(l.name()).isEqualTo("Channel 0");
                assertThat(l.listeners()).isEqualTo(500);
            });
            assertThat(r.listings()).noneMatch(l -> l.name().equals("Channel 1"));
        });
    }

    private static long pagesServed(DhtPopulation pop) {
        long n = 0;
        for (int i = 0; i < pop.size(); i++) {
            n += pop.dht(i).stats().listingPagesServed;
        }
        return n;
    }

    /** What {@code askers} random nodes find in {@code genre} (null: every channel). */
    private List<ListingsResult> find(Simulation sim, DhtPopulation pop, String genre, int askers) {
        return find(sim, pop, genre, "", askers);
    }

    /** What {@code askers} random nodes find in {@code genre} (null: every channel) searching for {@code search}. */
    private List<ListingsResult> find(Simulation sim, DhtPopulation pop, String genre, String search, int askers) {
        List<ListingsResult> out = new ArrayList<>();
        for (int i = 0; i < askers; i++) {
            pop.dht(random.nextInt(pop.size())).findListings(genre, search, out::add);
        }
        sim.runUntil(sim.now() + 10_000);
        assertThat(out).hasSize(askers);
        return out;
    }
}
