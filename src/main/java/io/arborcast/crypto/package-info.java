/** Channel keys: Ed25519 signing and verification, and channel ids derived from public keys. */
package io.arborcast.crypto;
