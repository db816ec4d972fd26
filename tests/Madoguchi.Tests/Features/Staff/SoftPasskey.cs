using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>
/// A software WebAuthn authenticator (ES256, "none" attestation), written from the WebAuthn Level 3
/// data layouts, so the app's passkey checks run against real signatures without a browser.
/// </summary>
public sealed class SoftPasskey(string origin = "https://localhost") : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private uint _counter;
    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(16);
    public byte[] UserHandle { get; private set; } = [];
    public string RpId { get; private set; } = "";

    /// <summary>The JSON navigator.credentials.create() would give for these creation options.</summary>
    public string Create(string optionsJson)
    {
        var options = JsonNode.Parse(optionsJson)!;
        RpId = (string?)options["rp"]?["id"] ?? new Uri(origin).Host;
        UserHandle = Base64Url.DecodeFromChars((string)options["user"]!["id"]!);
        var clientData = ClientData("webauthn.create", (string)options["challenge"]!);
        var p = _key.ExportParameters(false);
        var cose = Concat([0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20], p.Q.X!, [0x22, 0x58, 0x20], p.Q.Y!);
        var authData = Concat(SHA256.HashData(Encoding.UTF8.GetBytes(RpId)), [0x45], Counter(), new byte[16],
            [(byte)(CredentialId.Length >> 8), (byte)CredentialId.Length], CredentialId, cose);
        // {"fmt": "none", "attStmt": {}, "authData": bytes}
        var attestation = Concat([0xA3, 0x63], "fmt"u8.ToArray(), [0x64], "none"u8.ToArray(), [0x67], "attStmt"u8.ToArray(), [0xA0, 0x68], "authData"u8.ToArray(), ByteStringHeader(authData.Length), authData);
        return JsonSerializer.Serialize(new
        {
            id = Base64Url.EncodeToString(CredentialId),
            rawId = Base64Url.EncodeToString(CredentialId),
            type = "public-key",
            authenticatorAttachment = "platform",
            clientExtensionResults = new { },
            response = new { clientDataJSON = Base64Url.EncodeToString(clientData), attestationObject = Base64Url.EncodeToString(attestation), transports = new[] { "internal" } },
        });
    }

    /// <summary>The JSON navigator.credentials.get() would give; <paramref name="userVerified"/> false is a touch without PIN or biometric.</summary>
    public string Get(string optionsJson, bool userVerified = true)
    {
        var options = JsonNode.Parse(optionsJson)!;
        var clientData = ClientData("webauthn.get", (string)options["challenge"]!);
        var authData = Concat(SHA256.HashData(Encoding.UTF8.GetBytes((string?)options["rpId"] ?? RpId)), [(byte)(userVerified ? 0x05 : 0x01)], Counter());
        var signature = _key.SignData(Concat(authData, SHA256.HashData(clientData)), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return JsonSerializer.Serialize(new
        {
            id = Base64Url.EncodeToString(CredentialId),
            rawId = Base64Url.EncodeToString(CredentialId),
            type = "public-key",
            authenticatorAttachment = "platform",
            clientExtensionResults = new { },
            response = new
            {
                clientDataJSON = Base64Url.EncodeToString(clientData),
                authenticatorData = Base64Url.EncodeToString(authData),
                signature = Base64Url.EncodeToString(signature),
                userHandle = Base64Url.EncodeToString(UserHandle),
            },
        });
    }

    private byte[] ClientData(string type, string challenge) =>
        JsonSerializer.SerializeToUtf8Bytes(new { type, challenge, origin, crossOrigin = false });

    private byte[] Counter()
    {
        var c = ++_counter;
        return [(byte)(c >> 24), (byte)(c >> 16), (byte)(c >> 8), (byte)c];
    }

    private static byte[] ByteStringHeader(int length) => length < 24 ? [(byte)(0x40 | length)]
        : length < 256 ? [0x58, (byte)length] : [0x59, (byte)(length >> 8), (byte)length];

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public void Dispose() => _key.Dispose();
}
