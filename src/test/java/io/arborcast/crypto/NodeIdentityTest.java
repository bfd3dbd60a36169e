package io.arborcast.crypto;

import io.arborcast.core.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeIdentityTest {
    @Test
    void theIdFollowsFromTheKeyAndSolvesThePuzzle() {
        NodeIdentity n = NodeIdentity.generate(10);
        assertThat(n.id()).isEqualTo(NodeIdentity.idOf(n.publicKey()));
        assertThat(NodeIdentity.solves(n.id(), 10)).isTrue();
        assertThat(NodeIdentity.problem(n.publicKey(), 10)).isNull();
        // not the channel id of the same key: node and channel ids live in different domains
        assertThat(n.id()).isNotEqualTo(ChannelKey.channelId(n.publicKey()));
    }

    @Test
    void aChosenIdIsNoValidIdentity() {
        NodeId chosen = NodeId.fromHex("0000000000000000000000000000000000000001");
        byte[] notAKey = chosen.toBytes();
        assertThat(NodeIdentity.problem(notAKey, 0)).contains("32 bytes");
        // about 1 in 2^16 random keys solves 16 bits: a handful of tries will not
        int solved = 0;
        for (int i = 0; i < 50; i++) {
            if (NodeIdentity.solves(NodeIdentity.idOf(ChannelKey.generate().publicKey()), 16)) {
                solved++;
            }
        }
        assertThat(solved).isLessThanOrEqualTo(1);
    }

    @Test
    void onlyTheKeyHolderAnswersALinkChallenge() {
        NodeIdentity n = NodeIdentity.generate(0);
        NodeIdentity other = NodeIdentity.generate(0);
        byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        byte[] proof = n.proveLink(nonce);
        assertThat(NodeIdentity.verifyLinkProof(n.publicKey(), nonce, proof)).isTrue();
        assertThat(NodeIdentity.verifyLinkProof(other.publicKey(), nonce, proof)).isFalse();
        nonce[0] ^= 1;
        assertThat(NodeIdentity.verifyLinkProof(n.publicKey(), nonce, proof)).as("replayed for another challenge")
                .isFalse();
        assertThat(NodeIdentity.verifyLinkProof(n.publicKey(), nonce, new byte[64])).isFalse();
    }

    @Test
    void aKeyFileIsCreatedOnceAndKeepsTheId(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("node.key");
        NodeIdentity first = NodeIdentity.loadOrCreate(f, 4);
        assertThat(Files.exists(f)).isTrue();
        assertThat(NodeIdentity.loadOrCreate(f, 4).id()).isEqualTo(first.id());
        assertThatThrownBy(() -> NodeIdentity.generate(NodeIdentity.MAX_DIFFICULTY + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
