using System.Security.Cryptography;
using System.Text;
using Madoguchi.Web.Features.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// A submitted application: the answers as checked against the form version it was filled in on.
/// Written once, in one transaction with its attachments' links; never updated by residents.
/// </summary>
public sealed class Submission
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid FormId { get; set; }
    public Form? Form { get; set; }
    public Guid FormVersionId { get; set; }
    public int FormVersionNumber { get; set; }
    /// <summary>受付番号 (<see cref="ReceiptNumbers"/>): what residents quote; unique, not guessable.</summary>
    public string ReceiptNumber { get; set; } = "";
    /// <summary>SHA-256 of the status secret given once with the receipt; the secret itself is not kept.</summary>
    public string SecretHash { get; set; } = "";
    /// <summary>
    /// The secret under the app's data-protection keys, only so that a retried request (same
    /// idempotency key) can be answered with the same status link as the first.
    /// </summary>
    public string SecretProtected { get; set; } = "";
    /// <summary>Normalised answers (<see cref="AnswerChecker"/>) as JSON.</summary>
    public string AnswersJson { get; set; } = "{}";
    /// <summary>ja, en or easy: the language of acknowledgements and the status page.</summary>
    public string Language { get; set; } = "ja";
    public DateTimeOffset SubmittedAt { get; set; }
    /// <summary>The client's Idempotency-Key (API) or the draft's id (web); a retry returns the first receipt.</summary>
    public string? IdempotencyKey { get; set; }
    /// <summary>SHA-256 of the request the key was first used with: the same key with other answers is refused.</summary>
    public string? RequestHash { get; set; }
    /// <summary>"api" or "web".</summary>
    public string Channel { get; set; } = "web";
    /// <summary>The signed-in resident who submitted (hash of issuer and subject, from the draft); null without sign-in.</summary>
    public string? ApplicantSubject { get; set; }

    /// <summary>
    /// Who applied, as a salted hash (<see cref="Intake.PersonKeys"/>), when the form's intake rules
    /// identify people: the per-person limit counts these across channels and staff see duplicates.
    /// </summary>
    public string? PersonKey { get; set; }

    /// <summary>Limits the writer enforces in the insert's transaction (<see cref="Intake.IntakeGate"/>). Not stored.</summary>
    public Intake.IntakeClaim? Claim { get; set; }

    /// <summary>
    /// The draft this submission finishes (web): its attachments pass to the submission and the draft
    /// is deleted in the same transaction as the insert. Not stored.
    /// </summary>
    public Guid? FromDraftId { get; set; }

    /// <summary>What the submission's case starts with (channel, who keyed it, search text); written by the writer with it. Not stored here.</summary>
    public Cases.CaseStart Case { get; set; } = new();

    /// <summary>Sensitive answers, encrypted (<see cref="SensitiveAnswers"/>), inserted with the submission. Not a column.</summary>
    public List<Protection.ProtectedValue> Sealed { get; } = [];

    internal static void Configure(EntityTypeBuilder<Submission> e)
    {
        e.Ignore(x => x.FromDraftId);
        e.Ignore(x => x.Sealed);
        e.Ignore(x => x.Claim);
        e.Ignore(x => x.Case);
        e.Property(x => x.PersonKey).HasMaxLength(80);
        e.HasIndex(x => new { x.FormId, x.PersonKey });
        e.Property(x => x.ReceiptNumber).HasMaxLength(20);
        e.HasIndex(x => x.ReceiptNumber).IsUnique();
        e.Property(x => x.SecretHash).HasMaxLength(64);
        e.Property(x => x.Language).HasMaxLength(8);
        e.Property(x => x.IdempotencyKey).HasMaxLength(200);
        e.Property(x => x.RequestHash).HasMaxLength(64);
        e.Property(x => x.Channel).HasMaxLength(8);
        e.Property(x => x.ApplicantSubject).HasMaxLength(64);
        // Unique per form: the database, not a check before the insert, decides which retry wins.
        e.HasIndex(x => new { x.FormId, x.IdempotencyKey }).IsUnique();
        e.HasIndex(x => new { x.FormId, x.SubmittedAt });
        e.HasOne(x => x.Form).WithMany().HasForeignKey(x => x.FormId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<FormVersion>().WithMany().HasForeignKey(x => x.FormVersionId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>
/// 受付番号 and their secrets. A receipt number is 12 characters of Crockford base32 from a
/// cryptographic generator (60 bits), written 4-4-4 — readable over the phone (no I, L, O, U) and
/// not guessable; the status page also asks for a separate 128-bit secret.
/// </summary>
public static class ReceiptNumbers
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string NewReceiptNumber() => Format(NewCode(12));

    /// <summary>Random Crockford base32 characters (receipt numbers, resume codes).</summary>
    public static string NewCode(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Equal in constant time, so the status page does not leak how much of a secret was right.</summary>
    public static bool Matches(string secret, string hash)
        => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(hash));

    /// <summary>
    /// A receipt number as typed by a resident (lower case, full-width, without or with other dashes,
    /// O for 0, I/L for 1) in its canonical form, or null when it cannot be one.
    /// </summary>
    public static string? Normalise(string? input) => Canonical(input, 12) is { } code ? Format(code) : null;

    /// <summary>
    /// A Crockford base32 code as typed (lower case, full-width, spaces or dashes, O for 0, I/L for 1)
    /// as its bare characters, or null when it is not <paramref name="length"/> of them.
    /// </summary>
    public static string? Canonical(string? input, int length)
    {
        if (input is null) return null;
        var sb = new StringBuilder();
        foreach (var ch in input.Normalize(NormalizationForm.FormKC).ToUpperInvariant())
        {
            var c = ch switch { 'O' => '0', 'I' or 'L' => '1', _ => ch };
            if (Alphabet.Contains(c, StringComparison.Ordinal)) sb.Append(c);
            else if (c is not ('-' or ' ' or 'ー' or '‐' or '−')) return null;
        }
        return sb.Length == length ? sb.ToString() : null;
    }

    private static string Format(string s) => $"{s[..4]}-{s[4..8]}-{s[8..]}";
}
