package io.arborcast.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelKeyTest {
    private static final byte[] DATA = "chunk 42 of the live stream".getBytes(StandardCharsets.UTF_8);

    @Test
    void signsAndVerifies() {
        ChannelKey key = ChannelKey.generate();
        byte[] sig = key.sign(DATA);
        assertThat(sig).hasSize(ChannelKey.SIGNATURE_BYTES);
        assertThat(ChannelKey.verify(key.publicKey(), DATA, sig)).isTrue();
    }

    /** Our signatures are plain RFC 8032 Ed25519: the JDK's own provider checks them, and we check its. */
    @Test
    void signaturesAreThoseOfTheJdksEd25519() throws Exception {
        ChannelKey key = ChannelKey.generate();
        java.security.KeyFactory kf = java.security.KeyFactory.getInstance("Ed25519");
        String pem = key.toPem();
        java.security.PublicKey pub = kf.generatePublic(new java.security.spec.X509EncodedKeySpec(
                java.util.Base64.getMimeDecoder().decode(pem.substring(pem.indexOf("PUBLIC KEY-----") + 15,
                        pem.indexOf("-----END PUBLIC KEY")))));
        java.security.PrivateKey priv = kf.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(
                java.util.Base64.getMimeDecoder().decode(pem.substring(pem.indexOf("PRIVATE KEY-----") + 16,
                        pem.indexOf("-----END PRIVATE KEY")))));
        java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
        jdk.initVerify(pub);
        jdk.update(DATA);
        assertThat(jdk.verify(key.sign(DATA))).isTrue();
        jdk.initSign(priv);
        jdk.update(DATA);
        byte[] jdkSignature = jdk.sign();
        assertThat(jdkSignature).isEqualTo(key.sign(DATA)); // Ed25519 signatures are deterministic
        assertThat(ChannelKey.verify(key.publicKey(), DATA, jdkSignature)).isTrue();
    }

    @Test
    void forgedSignaturesAreRejected() {
        ChannelKey key = ChannelKey.generate();
        ChannelKey other = ChannelKey.generate();
        byte[] sig = key.sign(DATA);
        byte[] flipped = sig.clone();
        flipped[10] ^= 1;
        byte[] tampered = DATA.clone();
        tampered[0] ^= 1;
        assertThat(ChannelKey.verify(key.publicKey(), DATA, flipped)).isFalse();
        assertThat(ChannelKey.verify(key.publicKey(), tampered, sig)).isFalse();
        assertThat(ChannelKey.verify(other.publicKey(), DATA, sig)).isFalse();
        assertThat(ChannelKey.verify(other.publicKey(), DATA, other.sign(tampered))).isFalse();
        // malformed inputs give false, never an exception
        assertThat(ChannelKey.verify(new byte[5], DATA, sig)).isFalse();
        assertThat(ChannelKey.verify(key.publicKey(), DATA, new byte[3])).isFalse();
        assertThat(ChannelKey.verify(null, DATA, null)).isFalse();
    }

    @Test
    void channelIdIsSha256PrefixOfPublicKey() throws Exception {
        ChannelKey key = ChannelKey.generate();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.publicKey());
        assertThat(key.channelId().toBytes()).isEqualTo(Arrays.copyOf(digest, 20));
        assertThat(key.channelId().toHex()).hasSize(40);
    }

    @Test
    void savesAndLoads(@TempDir Path dir) throws IOException {
        ChannelKey key = ChannelKey.generate();
        Path file = dir.resolve("channel.key");
        key.save(file);
        assertThat(Files.readString(file)).contains("BEGIN PRIVATE KEY", "BEGIN PUBLIC KEY");
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        ChannelKey loaded = ChannelKey.load(file);
        assertThat(loaded.channelId()).isEqualTo(key.channelId());
        assertThat(ChannelKey.verify(key.publicKey(), DATA, loaded.sign(DATA))).isTrue();
    }

    @Test
    void refusesBrokenOrMismatchedKeyFiles(@TempDir Path dir) throws IOException {
        Path garbage = dir.resolve("garbage.key");
        Files.writeString(garbage, "hello");
        assertThatThrownBy(() -> ChannelKey.load(garbage)).isInstanceOf(IOException.class)
                .hasMessageContaining("missing PRIVATE KEY block");
        String a = ChannelKey.generate().toPem();
        String b = ChannelKey.generate().toPem();
        String mixed = a.substring(0, a.indexOf("-----BEGIN PUBLIC KEY")) + b.substring(b.indexOf("-----BEGIN PUBLIC KEY"));
        Path mismatched = dir.resolve("mixed.key");
        Files.writeString(mismatched, mixed);
        assertThatThrownBy(() -> ChannelKey.load(mismatched)).hasMessageContaining("does not match");
    }

    @Test
    void aSeedGivesTheSameKeyEveryTime() {
        assertThat(ChannelKey.fromSeed(7).channelId()).isEqualTo(ChannelKey.fromSeed(7).channelId());
        assertThat(ChannelKey.fromSeed(7).channelId()).isNotEqualTo(ChannelKey.fromSeed(8).channelId());
        ChannelKey k = ChannelKey.fromSeed(7);
        byte[] data = {1, 2, 3};
        assertThat(ChannelKey.verify(k.publicKey(), data, k.sign(data))).isTrue();
    }
}
