using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Madoguchi.Web.Features.Protection;

/// <summary>
/// The key ring sealed with an operator passphrase, to be kept apart from data backups:
/// PBKDF2-SHA256 (600,000 iterations, random salt) derives an AES-256-GCM key; the header fields
/// (format, iterations, salt, fingerprint) are the associated data, so none can be changed unnoticed.
/// </summary>
public static class KeyExport
{
    public const string Format = "madoguchi-keys-export";
    public const int Iterations = 600_000;
    public const int MinPassphraseLength = 12;

    public sealed record ExportedKey(string Id, string CheckValue);

    public sealed record Envelope(string Format, int Version, string Kdf, int Iterations, string Salt, string Nonce, string Tag,
        string Ciphertext, string Fingerprint, IReadOnlyList<ExportedKey> Keys, DateTimeOffset Created);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static byte[] Seal(KeyRing ring, string passphrase, DateTimeOffset now)
    {
        if (passphrase.Length < MinPassphraseLength)
        {
            throw new ArgumentException($"パスフレーズは {MinPassphraseLength} 文字以上にしてください（{passphrase.Length} 文字でした）。");
        }
        var salt = RandomNumberGenerator.GetBytes(16);
        var nonce = RandomNumberGenerator.GetBytes(FieldCipher.NonceBytes);
        var plaintext = ring.ToJson();
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[FieldCipher.TagBytes];
        var header = new Envelope(Format, 1, "PBKDF2-SHA256", Iterations, Convert.ToBase64String(salt), Convert.ToBase64String(nonce), "", "",
            ring.Fingerprint, [.. ring.Keys.Select(k => new ExportedKey(k.Id, k.CheckValue))], now);
        var key = Derive(passphrase, salt, Iterations);
        try
        {
            using var aes = new AesGcm(key, FieldCipher.TagBytes);
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(header));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
        return JsonSerializer.SerializeToUtf8Bytes(header with { Tag = Convert.ToBase64String(tag), Ciphertext = Convert.ToBase64String(ciphertext) }, Json);
    }

    /// <summary>Reads the header only (fingerprint, key ids), without the passphrase.</summary>
    /// <exception cref="KeyRingException">Not a key export.</exception>
    public static Envelope ReadHeader(byte[] file)
    {
        try
        {
            var e = JsonSerializer.Deserialize<Envelope>(file, Json);
            if (e is null || e.Format != Format || e.Version != 1 || e.Kdf != "PBKDF2-SHA256") throw new JsonException("format");
            return e;
        }
        catch (JsonException)
        {
            throw new KeyRingException("鍵ファイルの形式（madoguchi-keys-export 版 1）ではありません。`./madoguchi keys export` で作ったファイルを指定してください。");
        }
    }

    /// <exception cref="KeyRingException">Wrong passphrase or a modified file.</exception>
    public static KeyRing Open(byte[] file, string passphrase)
    {
        var e = ReadHeader(file);
        if (e.Iterations is < 100_000 or > 10_000_000) throw new KeyRingException($"鍵ファイルの反復回数 {e.Iterations} は受け付けません。");
        var key = Derive(passphrase, Convert.FromBase64String(e.Salt), e.Iterations);
        var ciphertext = Convert.FromBase64String(e.Ciphertext);
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, FieldCipher.TagBytes);
            aes.Decrypt(Convert.FromBase64String(e.Nonce), ciphertext, Convert.FromBase64String(e.Tag), plaintext, AssociatedData(e));
            return KeyRing.FromJson(plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new KeyRingException("鍵ファイルを開けません。パスフレーズが違うか、ファイルが変更されています。");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The passphrase from a file (or "-" for stdin): its first line, never a command-line argument.</summary>
    public static string ReadPassphrase(string? file, TextReader stdin)
    {
        var text = file is null or "-" ? stdin.ReadLine() : File.ReadLines(file).FirstOrDefault();
        var passphrase = (text ?? "").TrimEnd('\r', '\n');
        if (passphrase.Length == 0) throw new KeyRingException("パスフレーズが空です。--passphrase-file で1行目にパスフレーズを書いたファイルを指定するか、標準入力から渡してください。");
        return passphrase;
    }

    private static byte[] Derive(string passphrase, byte[] salt, int iterations)
        => Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase.Normalize(NormalizationForm.FormC)), salt, iterations, HashAlgorithmName.SHA256, 32);

    private static byte[] AssociatedData(Envelope e)
        => Encoding.UTF8.GetBytes($"{e.Format}|{e.Version}|{e.Kdf}|{e.Iterations}|{e.Salt}|{e.Fingerprint}|{string.Join(",", e.Keys.Select(k => k.Id + "=" + k.CheckValue))}");
}
