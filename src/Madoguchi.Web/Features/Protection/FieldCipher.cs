using System.Security.Cryptography;
using System.Text;

namespace Madoguchi.Web.Features.Protection;

/// <summary>A value that cannot be decrypted: tampered, bound to another purpose, or its key is gone.</summary>
public sealed class ProtectedDataException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// AES-256-GCM for one field. The envelope (docs/adr/0007) is
/// <c>[version=1][key id length][key id (ASCII)][nonce 12][tag 16][ciphertext]</c>; the associated
/// data is the envelope header plus the purpose (owner type, owner id, field), so a ciphertext copied
/// to another row or field, or relabelled with another key id, fails authentication.
/// </summary>
public static class FieldCipher
{
    public const byte Version = 1;
    public const int NonceBytes = 12;
    public const int TagBytes = 16;

    /// <summary>Length-prefixed parts, so ("a/b", "c") and ("a", "b/c") never give the same purpose.</summary>
    public static byte[] Purpose(params string[] parts)
    {
        using var ms = new MemoryStream();
        foreach (var p in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(p);
            ms.Write(BitConverter.GetBytes(bytes.Length));
            ms.Write(bytes);
        }
        return ms.ToArray();
    }

    public static byte[] Encrypt(ProtectionKeyMaterial key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> purpose)
    {
        var header = Header(key.Id);
        var envelope = new byte[header.Length + NonceBytes + TagBytes + plaintext.Length];
        header.CopyTo(envelope, 0);
        var nonce = envelope.AsSpan(header.Length, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        var tag = envelope.AsSpan(header.Length + NonceBytes, TagBytes);
        var ciphertext = envelope.AsSpan(header.Length + NonceBytes + TagBytes);
        using var aes = new AesGcm(key.Material, TagBytes);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(header, purpose));
        return envelope;
    }

    /// <summary>The key id named in an envelope, without decrypting it.</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> envelope)
    {
        if (envelope.Length < 2 || envelope[0] != Version) throw new ProtectedDataException($"暗号化された値の形式（版 {(envelope.Length > 0 ? envelope[0] : 0)}）に対応していません。");
        var length = envelope[1];
        if (length is 0 or > KeyRing.MaxKeyIdLength || envelope.Length < 2 + length + NonceBytes + TagBytes)
        {
            throw new ProtectedDataException("暗号化された値が壊れています（長さが合いません）。");
        }
        return Encoding.ASCII.GetString(envelope.Slice(2, length));
    }

    /// <exception cref="ProtectedDataException">Tampered, another purpose, or the key is unknown.</exception>
    public static byte[] Decrypt(Func<string, ProtectionKeyMaterial?> keys, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> purpose)
    {
        var keyId = KeyIdOf(envelope);
        var key = keys(keyId) ?? throw new ProtectedDataException($"暗号化に使われた鍵 {keyId} が鍵リングにありません。鍵のバックアップから戻してください。");
        var headerLength = 2 + keyId.Length;
        var header = envelope[..headerLength];
        var nonce = envelope.Slice(headerLength, NonceBytes);
        var tag = envelope.Slice(headerLength + NonceBytes, TagBytes);
        var ciphertext = envelope[(headerLength + NonceBytes + TagBytes)..];
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key.Material, TagBytes);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, AssociatedData(header, purpose));
        }
        catch (AuthenticationTagMismatchException e)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new ProtectedDataException("暗号化された値を検証できません（改ざん、別の項目からの複製、または鍵の取り違え）。値は返しません。", e);
        }
        return plaintext;
    }

    private static byte[] Header(string keyId)
    {
        var id = Encoding.ASCII.GetBytes(keyId);
        return [Version, (byte)id.Length, .. id];
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> header, ReadOnlySpan<byte> purpose)
        => [.. "madoguchi:field\0"u8, .. header, 0, .. purpose];
}
