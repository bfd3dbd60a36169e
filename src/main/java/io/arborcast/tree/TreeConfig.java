package io.arborcast.tree;

import com.typesafe.config.Config;
import io.arborcast.core.Settings;

import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * Relay-tree settings of one node.
 *
 * @param maxRelays         children this node feeds at most (0 = pure listener; the source's slots)
 * @param backups           ranked backup parents kept ready
 * @param attachTimeoutMillis an ATTACH unanswered this long counts as refused
 * @param retryMillis       wait before trying again when no candidate is left
 * @param bufferChunks      chunks kept for children and neighbours (window = this x chunk interval)
 * @param prerollChunks     chunks before the live edge a new child gets, so playback starts at once
 * @param playoutDelayMillis how long playout waits for a missing chunk before skipping it
 * @param gapPullAfterMillis a parent that sent no chunk for this long (or a hole that stays open) sets
 *                          off a gap pull from gossip neighbours
 * @param keepaliveMillis   a parent that sent a child nothing for this long sends a heartbeat
 * @param parentSilenceMillis a parent heard nothing from for this long counts as lost
 * @param childSilenceMillis a child heard nothing from for this long loses its slot; a child sends its
 *                          parent a keepalive a third of this often (chunks show a parent alive, nothing
 *                          shows a child: its keepalives are the only upstream traffic most of the time)
 * @param maxReplayPerMinute chunks from our window resent to one peer per minute (attach replays and
 *                          gap-pull answers together), so no peer can make us replay our buffer in a loop
 * @param endAfterMillis    a listener leaves a channel whose source has shown no sign of life (no chunk,
 *                          no growing beacon) for this long; at once on the source's signed end of stream
 * @param uploadKbps        what this node may upload to feed one channel's children (0: no limit but the
 *                          slot counts): a channel gets only the slots it can feed at its bitrate
 */
public record TreeConfig(int maxRelays, int backups, long attachTimeoutMillis, long retryMillis, int bufferChunks,
                         int prerollChunks, long playoutDelayMillis, long gapPullAfterMillis, long keepaliveMillis, long parentSilenceMillis,
                         long childSilenceMillis, int maxReplayPerMinute, long endAfterMillis, int uploadKbps) {
    public TreeConfig {
        Settings.atLeast("tree.relay-slots", maxRelays, 0);
        Settings.atLeast("tree.backups", backups, 0);
        Settings.atLeastMillis("tree.attach-timeout", attachTimeoutMillis, 1);
        Settings.atLeastMillis("tree.retry", retryMillis, 1);
        Settings.atLeast("stream.window in chunks", bufferChunks, 1);
        Settings.atLeast("stream.preroll in chunks", prerollChunks, 0);
        Settings.atLeastMillis("stream.playout-delay", playoutDelayMillis, 0);
        Settings.atLeastMillis("stream.gap-pull-after", gapPullAfterMillis, 1);
        Settings.atLeastMillis("tree.keepalive", keepaliveMillis, 1);
        Settings.check(parentSilenceMillis > keepaliveMillis, "tree.parent-silence", parentSilenceMillis, " ms",
                "must be longer than tree.keepalive (" + keepaliveMillis + " ms)");
        Settings.check(childSilenceMillis >= 3 * keepaliveMillis, "tree.child-silence", childSilenceMillis, " ms",
                "must be at least three tree.keepalive (" + 3 * keepaliveMillis + " ms)");
        Settings.atLeast("tree.max-replayed-chunks-per-minute", maxReplayPerMinute, 0);
        Settings.atLeast("tree.upload-kbps", uploadKbps, 0);
        Settings.check(endAfterMillis > parentSilenceMillis + playoutDelayMillis, "stream.end-after-silence",
                endAfterMillis, " ms", "must be longer than tree.parent-silence plus stream.playout-delay ("
                        + (parentSilenceMillis + playoutDelayMillis) + " ms): a repair must not end the channel");
    }

    /** How often a child tells its parent it is still there: a third of {@link #childSilenceMillis}. */
    public long childKeepaliveMillis() {
        return childSilenceMillis / 3;
    }

    /** A relay with {@code maxRelays} slots; 30 s window of 250 ms chunks, 3 s playout delay. */
    public static TreeConfig relay(int maxRelays) {
        return new TreeConfig(maxRelays, 3, 2_000, 1_000, 120, 4, 3_000, 1_000, 500, 1_500, 4_500, 240, 120_000, 0);
    }

    /**
     * A listener's settings from the {@code tree} and {@code stream} blocks of the node
     * configuration; {@code maxRelays} is {@code tree.relay-slots}.
     */
    public static TreeConfig from(Config tree, Config stream) {
        ToLongFunction<String> ms = k -> (k.startsWith("tree.") ? tree : stream)
                .getDuration(k.substring(k.indexOf('.') + 1), TimeUnit.MILLISECONDS);
        LatencyMode.Timing t = LatencyMode.timing(stream);
        return new TreeConfig(tree.getInt("relay-slots"), tree.getInt("backups"), ms.applyAsLong("tree.attach-timeout"),
                ms.applyAsLong("tree.retry"), (int) Math.max(1, ms.applyAsLong("stream.window") / t.chunkMillis()),
                (int) (t.prerollMillis() / t.chunkMillis()), t.playoutDelayMillis(), t.gapPullAfterMillis(),
                ms.applyAsLong("tree.keepalive"), ms.applyAsLong("tree.parent-silence"),
                ms.applyAsLong("tree.child-silence"), tree.getInt("max-replayed-chunks-per-minute"),
                ms.applyAsLong("stream.end-after-silence"), tree.getInt("upload-kbps"));
    }

    /** These settings with a different number of relay slots (the source's, say). */
    public TreeConfig withRelays(int newMaxRelays) {
        return new TreeConfig(newMaxRelays, backups, attachTimeoutMillis, retryMillis, bufferChunks, prerollChunks,
                playoutDelayMillis, gapPullAfterMillis, keepaliveMillis, parentSilenceMillis, childSilenceMillis, maxReplayPerMinute, endAfterMillis, uploadKbps);
    }

    /** These settings with another {@link #endAfterMillis}. */
    public TreeConfig withEndAfter(long millis) {
        return new TreeConfig(maxRelays, backups, attachTimeoutMillis, retryMillis, bufferChunks, prerollChunks,
                playoutDelayMillis, gapPullAfterMillis, keepaliveMillis, parentSilenceMillis, childSilenceMillis, maxReplayPerMinute, millis, uploadKbps);
    }

    /** These settings with the stream-dependent ones replaced. */
    public TreeConfig withStream(int newBufferChunks, int newPrerollChunks, long newPlayoutDelayMillis,
                                 long newGapPullAfterMillis) {
        return new TreeConfig(maxRelays, backups, attachTimeoutMillis, retryMillis, newBufferChunks, newPrerollChunks,
                newPlayoutDelayMillis, newGapPullAfterMillis, keepaliveMillis, parentSilenceMillis, childSilenceMillis, maxReplayPerMinute, endAfterMillis, uploadKbps);
    }

    /** These settings with another {@link #uploadKbps}. */
    public TreeConfig withUpload(int kbps) {
        return new TreeConfig(maxRelays, backups, attachTimeoutMillis, retryMillis, bufferChunks, prerollChunks,
                playoutDelayMillis, gapPullAfterMillis, keepaliveMillis, parentSilenceMillis, childSilenceMillis, maxReplayPerMinute, endAfterMillis, kbps);
    }

    /**
     * The children a channel of {@code bitrateKbps} gets of {@code slots}: all of them, or with
     * {@link #uploadKbps} set, as many as that upload feeds at the bitrate (a 2.5 Mbit/s video on
     * a 4 Mbit/s uplink: one; 128 kbit/s audio: all).
     */
    public int slotsFor(int bitrateKbps, int slots) {
        return uploadKbps == 0 ? slots : (int) Math.min(slots, uploadKbps / Math.max(1, bitrateKbps));
    }
}
