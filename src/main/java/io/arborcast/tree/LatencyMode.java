package io.arborcast.tree;

import com.typesafe.config.Config;
import io.arborcast.core.Settings;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The trade-off between a listener's lag behind the source and its safety from gaps
 * ({@code stream.latency-mode}): the stream's timing each mode gives. {@code chunk-interval},
 * {@code preroll}, {@code playout-delay} and {@code gap-pull-after}, where set, override it.
 */
public enum LatencyMode {
    /**
     * 100 ms chunks (a relay passes a chunk on sooner, at some 5% more bytes in signatures and
     * framing), 200 ms of preroll, a gap pull 500 ms after the parent's last chunk.
     */
    LOW(new Timing(100, 200, 3_000, 500)),
    /** 250 ms chunks, one second of preroll, so a player starts with a cushion; gap pull after a second. */
    NORMAL(new Timing(250, 1_000, 3_000, 1_000)),
    /** Three seconds of preroll and six of waiting for a missing chunk: a player stalls least. */
    SAFE(new Timing(250, 3_000, 6_000, 1_000));

    /**
     * A stream's timing.
     *
     * @param chunkMillis        the source cuts a chunk this often
     * @param prerollMillis      how far behind the live edge a new child and a new player start
     * @param playoutDelayMillis how long playout waits for a missing chunk before skipping it
     * @param gapPullAfterMillis a parent silent this long (or a hole open this long) sets off a gap pull
     */
    public record Timing(long chunkMillis, long prerollMillis, long playoutDelayMillis, long gapPullAfterMillis) {
        public Timing {
            Settings.atLeastMillis("stream.chunk-interval", chunkMillis, 1);
            Settings.atLeastMillis("stream.preroll", prerollMillis, 0);
            Settings.atLeastMillis("stream.playout-delay", playoutDelayMillis, 0);
            Settings.atLeastMillis("stream.gap-pull-after", gapPullAfterMillis, 1);
        }
    }

    public final Timing timing;

    LatencyMode(Timing timing) {
        this.timing = timing;
    }

    /** The mode a {@code stream.latency-mode} value names (low, normal, safe). */
    public static LatencyMode of(String setting) {
        return Arrays.stream(values()).filter(m -> m.setting().equals(setting)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("stream.latency-mode: '" + setting
                        + "' is none of low, normal, safe"));
    }

    /** The timing a {@code stream} block gives: its latency-mode's, with each setting given in it instead. */
    public static Timing timing(Config stream) {
        Timing m = of(stream.getString("latency-mode")).timing;
        return new Timing(millis(stream, "chunk-interval", m.chunkMillis()), millis(stream, "preroll", m.prerollMillis()),
                millis(stream, "playout-delay", m.playoutDelayMillis()),
                millis(stream, "gap-pull-after", m.gapPullAfterMillis()));
    }

    private static long millis(Config stream, String key, long otherwise) {
        return stream.hasPath(key) ? stream.getDuration(key, TimeUnit.MILLISECONDS) : otherwise;
    }

    /** Its name in configuration. */
    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }
}
