package io.arborcast.bench;

import io.arborcast.core.Message;
import io.arborcast.core.NodeId;
import io.arborcast.core.StreamMessage;
import io.arborcast.wire.CodecException;
import io.arborcast.wire.MessageCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Encode + decode throughput of a 4 KiB stream chunk message (run by bench/codec.sh). */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {
    private MessageCodec codec;
    private StreamMessage.Chunk chunk;
    private byte[] encoded;

    @Setup
    public void setup() throws CodecException {
        Random r = new Random(1);
        byte[] payload = new byte[4096];
        byte[] sig = new byte[64];
        r.nextBytes(payload);
        r.nextBytes(sig);
        codec = new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME);
        chunk = new StreamMessage.Chunk(NodeId.random(r), 123_456, 789_000, payload, sig);
        encoded = codec.encode(chunk);
    }

    @Benchmark
    public Message roundTrip4KiBChunk() throws CodecException {
        return codec.decode(codec.encode(chunk));
    }

    @Benchmark
    public byte[] encode4KiBChunk() throws CodecException {
        return codec.encode(chunk);
    }

    @Benchmark
    public Message decode4KiBChunk() throws CodecException {
        return codec.decode(encoded);
    }
}
