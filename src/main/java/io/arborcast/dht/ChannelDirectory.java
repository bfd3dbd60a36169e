package io.arborcast.dht;

import io.arborcast.core.ChannelListing;
import io.arborcast.core.Lru;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.MessageSizer;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.dht.DhtResults.ListingsResult;
import io.arborcast.dht.DhtResults.StoreOutcome;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The channel directory a {@link DhtNode} keeps with the others, with no server: listings
 * (signed by their channel keys) are stored like provider announcements on the k nodes closest
 * to a directory key (every channel's, and each genre's; see {@link ChannelListings}), kept
 * there by refreshing and replaced by newer ones; an asker looks the key up and pages through
 * what a few of the k closest keep, one datagram a page. The load of a popular key spreads over
 * its k replicas (each asker picks its few at random), and a node answers the same question
 * again from what it found for {@value #ANSWER_MILLIS} ms, asking once for all who ask meanwhile
 * (status pages refreshing, players and playlists of a genre).
 */
final class ChannelDirectory {
    /** Of the nodes closest to a directory key, how many an asker pages through (they hold the same listings). */
    static final int SOURCES = 3;
    /** Pages asked of one node at most (a key holds at most {@link ListingStore#MAX_PER_KEY} listings). */
    static final int MAX_PAGES = 128;
    /** Listings one answer carries at most, before they are cut to fit a datagram. */
    private static final int PAGE = 32;
    /** How long an answer found here is given again to the same question. */
    static final long ANSWER_MILLIS = 5_000;
    /** The host our own listings are kept under here. */
    private static final String SELF = "";

    private final DhtNode node;
    private final DhtConfig config;
    private final MessageSizer sizer;
    private final ListingStore store = new ListingStore();
    /** Our own channels' current listings, by channel id, refreshed until unlisted. */
    private final Map<NodeId, ChannelListing> listed = new HashMap<>();
    private final Set<NodeId> refreshing = new HashSet<>();

    private record Question(String genre, String search) {
    }

    private record Answer(ListingsResult result, long at) {
    }

    /** Answers found lately, and those who wait for one being found. */
    private final Map<Question, Answer> answers = Lru.map(64);
    private final Map<Question, List<Consumer<ListingsResult>>> waiting = new HashMap<>();

    ChannelDirectory(DhtNode node, MessageSizer sizer) {
        this.node = node;
        this.config = node.config();
        this.sizer = sizer;
    }

    /** Why {@code l} cannot be listed (too large for one answer), or null. */
    String tooLarge(ChannelListing l) {
        int size = sizer.sizeOf(new DhtMessage.Listings(Long.MAX_VALUE, List.of(l), Integer.MAX_VALUE));
        return size > config.maxDatagramPayload() ? "listing of " + size + " bytes does not fit one datagram ("
                + config.maxDatagramPayload() + "): shorten its name, genre, description or URL" : null;
    }

    /** See {@link DhtNode#list}. */
    void list(ChannelListing l, Consumer<StoreOutcome> done) {
        String problem = tooLarge(l);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        listed.put(l.channelId(), l);
        store(l, done);
        if (refreshing.add(l.channelId())) {
            node.scheduleRepeat(config.providerTtlMillis() / 2, () -> {
                ChannelListing current = listed.get(l.channelId());
                if (current == null) {
                    refreshing.remove(l.channelId());
                    return false;
                }
                store(current, o -> {
                });
                return true;
            });
        }
    }

    /** See {@link DhtNode#unlist}. */
    void unlist(ChannelListing ended, Consumer<StoreOutcome> done) {
        if (ended.live()) {
            throw new IllegalArgumentException("unlisting takes the channel's ended listing");
        }
        listed.remove(ended.channelId());
        store(ended, done);
    }

    /** Stores {@code l} here and on the k closest nodes to each of its keys; {@code done} hears the outcomes summed. */
    private void store(ChannelListing l, Consumer<StoreOutcome> done) {
        int ttlSeconds = config.providerTtlSeconds();
        List<NodeId> keys = ChannelListings.keys(l);
        List<StoreOutcome> outcomes = new ArrayList<>();
        for (NodeId key : keys) {
            store.put(key, l, SELF, config.providerTtlMillis(), node.env().now());
            node.storeOnClosest(key, rid -> new DhtMessage.StoreListing(rid, key, l, ttlSeconds, node.client()), o -> {
                outcomes.add(o);
                if (outcomes.size() == keys.size()) {
                    done.accept(sum(outcomes));
                }
            });
        }
    }

    private static StoreOutcome sum(List<StoreOutcome> outcomes) {
        int accepted = 0;
        int refused = 0;
        int unreachable = 0;
        List<String> reasons = new ArrayList<>();
        for (StoreOutcome o : outcomes) {
            accepted += o.accepted();
            refused += o.refused();
            unreachable += o.unreachable();
            reasons.addAll(o.reasons());
        }
        return new StoreOutcome(accepted, refused, unreachable, List.copyOf(reasons));
    }

    /** A STORE_LISTING from {@code from}: null when kept, else why not. */
    String onStore(DhtMessage.StoreListing s, PeerAddress from, long now) {
        String problem = tooLarge(s.listing());
        return problem != null ? problem
                : store.put(s.key(), s.listing(), from.host(), config.keptTtlMillis(s.ttlSeconds() * 1000L), now);
    }

    /** The page of what we keep under the key that a FIND_LISTINGS asks for, cut to fit a datagram. */
    DhtMessage.Listings onFind(DhtMessage.FindListings f, long now) {
        node.stats().listingPagesServed++;
        List<ChannelListing> all = matching(store.all(f.key(), now), f.search());
        int from = Math.min(f.from(), all.size());
        List<ChannelListing> page = all.subList(from, Math.min(all.size(), from + PAGE));
        DhtMessage.Listings answer = answer(f.rpcId(), all, from, page);
        while (sizer.sizeOf(answer) > config.maxDatagramPayload() && page.size() > 1) {
            page = page.subList(0, page.size() - 1);
            answer = answer(f.rpcId(), all, from, page);
        }
        return answer;
    }

    private static List<ChannelListing> matching(List<ChannelListing> listings, String search) {
        return search.isEmpty() ? listings
                : listings.stream().filter(l -> ChannelListings.nameMatches(l.name(), search)).toList();
    }

    private static DhtMessage.Listings answer(long rpcId, List<ChannelListing> all, int from, List<ChannelListing> page) {
        int next = from + page.size();
        return new DhtMessage.Listings(rpcId, page, next < all.size() ? next : -1);
    }

    /** See {@link DhtNode#findListings}: a fresh answer to the same question, or a new ask (see {@link #ask}). */
    void find(String genre, String search, Consumer<ListingsResult> done) {
        Question q = new Question(genre == null ? "" : ChannelListings.normalise(genre), ChannelListings.normalise(search));
        Answer a = answers.get(q);
        if (a != null && node.env().now() - a.at < ANSWER_MILLIS) {
            done.accept(a.result);
            return;
        }
        List<Consumer<ListingsResult>> asked = waiting.get(q);
        if (asked != null) {
            asked.add(done);
            return;
        }
        List<Consumer<ListingsResult>> all = new ArrayList<>(List.of(done));
        waiting.put(q, all);
        ask(genre, search, r -> {
            waiting.remove(q);
            answers.put(q, new Answer(r, node.env().now()));
            all.forEach(c -> c.accept(r));
        });
    }

    /** Asks every key of {@code genre} (all shards for every channel) at once. */
    private void ask(String genre, String search, Consumer<ListingsResult> done) {
        long started = node.env().now();
        List<NodeId> keys = ChannelListings.keysFor(genre);
        Map<NodeId, ChannelListing> found = new HashMap<>();
        int[] waiting = {keys.size()};
        int[] asked = {0};
        for (NodeId key : keys) {
            find(key, search, found, n -> {
                asked[0] += n;
                if (--waiting[0] > 0) {
                    return;
                }
                List<ChannelListing> live = new ArrayList<>();
                for (ChannelListing l : found.values()) {
                    if (l.live()) {
                        live.add(l);
                    }
                }
                live.sort(ListingStore.ORDER);
                done.accept(new ListingsResult(genre, List.copyOf(live), asked[0], node.env().now() - started));
            });
        }
    }

    /**
     * Looks {@code key} up and pages through what its closest few keep of {@code search}'s names,
     * into {@code found}; {@code done} hears how many were asked.
     */
    private void find(NodeId key, String search, Map<NodeId, ChannelListing> found,
                      java.util.function.IntConsumer done) {
        node.lookup(key, r -> {
            matching(store.all(key, node.env().now()), search).forEach(l -> keepNewest(found, l));
            List<PeerAddress> ask = sources(r.closest());
            if (ask.isEmpty()) {
                done.accept(0);
                return;
            }
            int[] waiting = {ask.size()};
            for (PeerAddress p : ask) {
                page(p, key, search, 0, 1, found, () -> {
                    if (--waiting[0] == 0) {
                        done.accept(ask.size());
                    }
                });
            }
        });
    }

    /**
     * Whom to page through, of the k nodes closest to a key (every one of which keeps its
     * listings): {@link #SOURCES} at random, so that the askers of a popular key spread over all k
     * rather than all asking the closest few.
     */
    private List<PeerAddress> sources(List<PeerAddress> closest) {
        List<PeerAddress> pool = new ArrayList<>(closest.subList(0, Math.min(config.k(), closest.size())));
        java.util.Collections.shuffle(pool, node.env().random());
        return pool.subList(0, Math.min(SOURCES, pool.size()));
    }

    /** Asks {@code p} for the page from {@code from} on, and the next, until its last (or {@link #MAX_PAGES}). */
    private void page(PeerAddress p, NodeId key, String search, int from, int pages,
                      Map<NodeId, ChannelListing> found, Runnable done) {
        node.request(p, rid -> new DhtMessage.FindListings(rid, key, from, search, node.client()), r -> {
            if (r instanceof DhtMessage.Listings ls) {
                for (ChannelListing l : ls.listings()) {
                    if (!ChannelListings.keys(l).contains(key) || ChannelListings.problem(l) != null) {
                        node.stats().forgedRecordsSeen++;
                    } else if (ChannelListings.nameMatches(l.name(), search)) {
                        keepNewest(found, l);
                    }
                }
                if (ls.next() > from && pages < MAX_PAGES) {
                    page(p, key, search, ls.next(), pages + 1, found, done);
                    return;
                }
            }
            done.run();
        }, () -> {
            node.stats().listingPagesLost++;
            done.run();
        });
    }

    private static void keepNewest(Map<NodeId, ChannelListing> found, ChannelListing l) {
        found.merge(l.channelId(), l, (a, b) -> b.sequence() > a.sequence() ? b : a);
    }

    /** Store-on-join: a new contact among the k closest to a directory key of ours gets our listing at once. */
    void replicateTo(PeerAddress peer) {
        int ttlSeconds = config.providerTtlSeconds();
        for (ChannelListing l : listed.values()) {
            for (NodeId key : ChannelListings.keys(l)) {
                if (node.amongClosest(peer, key)) {
                    node.request(peer, rid -> new DhtMessage.StoreListing(rid, key, l, ttlSeconds, node.client()),
                            x -> { }, () -> { });
                }
            }
        }
    }

    boolean listsAny() {
        return !listed.isEmpty();
    }

    void expire(long now) {
        store.expire(now);
    }

    int stored() {
        return store.count();
    }
}
