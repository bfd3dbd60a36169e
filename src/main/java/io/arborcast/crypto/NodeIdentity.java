package io.arborcast.crypto;

import io.arborcast.core.NodeId;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A node's identity, S/Kademlia style: an Ed25519 key pair whose public key fixes the node id,
 * so ids cannot be chosen freely. The id is the first 160 bits of SHA-256 over a domain tag and
 * the raw public key (a different domain from channel ids, so a key never names both). A key
 * counts only if SHA-256 of its id has {@code difficulty} leading zero bits (S/Kademlia's static
 * puzzle): every id costs about 2^difficulty key generations, which makes a swarm of sybil ids,
 * or an id placed next to a chosen target, expensive. Peers check both on every link (which the
 * peer must also prove it holds the private key for) and on every datagram.
 */
public final class NodeIdentity {
    private static final byte[] DOMAIN = "arborcast node id v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROOF_DOMAIN = "arborcast link proof v1".getBytes(StandardCharsets.US_ASCII);
    /** Most puzzle bits anyone may ask for: beyond this, start-up would take hours. */
    public static final int MAX_DIFFICULTY = 24;

    private final ChannelKey keyPair;
    private final NodeId id;

    private NodeIdentity(ChannelKey keyPair) {
        this.keyPair = keyPair;
        this.id = idOf(keyPair.publicKey());
    }

    /** Generates key pairs until one solves the puzzle at {@code difficulty} bits. */
    public static NodeIdentity generate(int difficulty) {
        checkDifficulty(difficulty);
        while (true) {
            NodeIdentity n = new NodeIdentity(ChannelKey.generate());
            if (solves(n.id, difficulty)) {
                return n;
            }
        }
    }

    /**
     * The identity stored in {@code file}, or a new one (saved there, owner-readable only) if the
     * file does not exist. A stored key that does not solve the puzzle is refused.
     */
    public static NodeIdentity loadOrCreate(Path file, int difficulty) throws IOException {
        if (Files.exists(file)) {
            NodeIdentity n = new NodeIdentity(ChannelKey.load(file));
            if (!solves(n.id, difficulty)) {
                throw new IOException(file + ": node key does not solve the id puzzle at " + difficulty + " bits");
            }
            return n;
        }
        NodeIdentity n = generate(difficulty);
        n.keyPair.save(file);
        return n;
    }

    public NodeId id() {
        return id;
    }

    /** A copy of the raw 32-byte public key. */
    public byte[] publicKey() {
        return keyPair.publicKey();
    }

    /** Our answer to a peer's link challenge: a signature over its nonce. */
    public byte[] proveLink(byte[] peerNonce) {
        return keyPair.sign(proofBytes(peerNonce));
    }

    /** True if {@code signature} is the holder of {@code publicKey} answering our {@code nonce}. */
    public static boolean verifyLinkProof(byte[] publicKey, byte[] nonce, byte[] signature) {
        return ChannelKey.verify(publicKey, proofBytes(nonce), signature);
    }

    /** The node id a raw public key stands for. */
    public static NodeId idOf(byte[] rawPublicKey) {
        MessageDigest sha = sha256();
        sha.update(DOMAIN);
        return NodeId.fromPrefix(sha.digest(rawPublicKey));
    }

    /** True if {@code id} solves the static puzzle: SHA-256(id) starts with {@code difficulty} zero bits. */
    public static boolean solves(NodeId id, int difficulty) {
        if (difficulty == 0) {
            return true;
        }
        byte[] h = sha256().digest(id.toBytes());
        int zeros = 0;
        for (byte b : h) {
            if (b == 0) {
                zeros += 8;
            } else {
                zeros += Integer.numberOfLeadingZeros(b & 0xFF) - 24;
                break;
            }
            if (zeros >= difficulty) {
                break;
            }
        }
        return zeros >= difficulty;
    }

    /** The problem with a claimed public key, or null if it is a valid identity at {@code difficulty}. */
    public static String problem(byte[] rawPublicKey, int difficulty) {
        if (rawPublicKey == null || rawPublicKey.length != ChannelKey.PUBLIC_KEY_BYTES) {
            return "node key must be " + ChannelKey.PUBLIC_KEY_BYTES + " bytes";
        }
        return solves(idOf(rawPublicKey), difficulty) ? null : "node id does not solve the puzzle";
    }

    public static void checkDifficulty(int difficulty) {
        if (difficulty < 0 || difficulty > MAX_DIFFICULTY) {
            throw new IllegalArgumentException("id difficulty must be 0.." + MAX_DIFFICULTY + " bits");
        }
    }

    private static byte[] proofBytes(byte[] nonce) {
        byte[] out = new byte[PROOF_DOMAIN.length + nonce.length];
        System.arraycopy(PROOF_DOMAIN, 0, out, 0, PROOF_DOMAIN.length);
        System.arraycopy(nonce, 0, out, PROOF_DOMAIN.length, nonce.length);
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
