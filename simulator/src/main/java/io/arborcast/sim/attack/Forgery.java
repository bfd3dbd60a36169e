package io.arborcast.sim.attack;

import io.arborcast.core.Message;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.stream.Chunks;

import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * A forger's rewrite: every chunk it sends is altered (the source's signature over other
 * bytes) or forged (zeros under a valid signature of another key), as the scenario's mode
 * says; every other message is the real protocol's.
 *
 * @param forgerKey the key forged chunks are signed with
 * @param random    what picks the mode's choice and the altered byte (the forger's partition's own)
 */
public record Forgery(Mode mode, ChannelKey forgerKey, Random random) implements UnaryOperator<Message> {
    /** What a forger does to a chunk: alters its payload, re-signs it with another key, or either at random. */
    public enum Mode {
        CORRUPT, FORGE, MIXED
    }

    @Override
    public Message apply(Message m) {
        return m instanceof Chunk c ? tamper(c) : m;
    }

    private Chunk tamper(Chunk c) {
        boolean forge = switch (mode) {
            case FORGE -> true;
            case MIXED -> random.nextBoolean();
            case CORRUPT -> false;
        };
        if (forge) {
            Chunk f = Chunks.sign(forgerKey, c.seq(), c.timestamp(), new byte[c.payload().length]);
            return new Chunk(c.channel(), f.seq(), f.timestamp(), f.payload(), f.signature());
        }
        byte[] altered = c.payload().clone();
        altered[random.nextInt(altered.length)] ^= 1;
        return new Chunk(c.channel(), c.seq(), c.timestamp(), altered, c.signature());
    }
}
