using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Intake;

/// <summary>
/// The draw of a lottery form, made once after the deadline. The seed is kept so anyone can redo the
/// draw from the seed and the receipt numbers (<see cref="IntakeLottery.Pick"/>) and get the same winners.
/// </summary>
public sealed class IntakeDraw
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid FormId { get; set; }
    public string Seed { get; set; } = "";
    /// <summary>Winners asked for; fewer are drawn when there are fewer entrants.</summary>
    public int Winners { get; set; }
    public int Entrants { get; set; }
    /// <summary>The winners' receipt numbers in draw order, as a JSON array.</summary>
    public string WinnersJson { get; set; } = "[]";
    public DateTimeOffset DrawnAt { get; set; }
    public string DrawnBy { get; set; } = "";

    public IReadOnlyList<string> WinnerReceipts() => JsonSerializer.Deserialize<List<string>>(WinnersJson) ?? [];

    internal static void Configure(EntityTypeBuilder<IntakeDraw> e)
    {
        // One draw per form: a second draw with another seed would let someone pick the result they like.
        e.HasIndex(x => x.FormId).IsUnique();
        e.Property(x => x.Seed).HasMaxLength(200);
        e.Property(x => x.DrawnBy).HasMaxLength(256);
        e.HasOne<Form>().WithMany().HasForeignKey(x => x.FormId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>Draws lottery forms and tells every entrant the result by e-mail.</summary>
public sealed class IntakeLottery(MadoguchiDbContext db, TimeProvider clock, AuditTrail audit, MailSender mail, ILogger<IntakeLottery> log)
{
    public sealed record Drawn(IntakeDraw Draw, IReadOnlyList<string> Winners, int Mailed, int MailFailed);
    public sealed record Verified(IntakeDraw Draw, bool Same, IReadOnlyList<string> Recomputed);

    /// <summary>
    /// The winners: entrants ordered by HMAC-SHA256(key = seed, message = receipt number), the first
    /// <paramref name="winners"/>. Independent of the order the entrants are given in, and documented,
    /// so the result can be checked outside Madoguchi.
    /// </summary>
    public static IReadOnlyList<string> Pick(IEnumerable<string> receiptNumbers, string seed, int winners)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var key = Encoding.UTF8.GetBytes(seed);
        return [.. receiptNumbers.Distinct(StringComparer.Ordinal)
            .Select(r => (Receipt: r, Rank: Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(r)))))
            .OrderBy(x => x.Rank, StringComparer.Ordinal).ThenBy(x => x.Receipt, StringComparer.Ordinal)
            .Take(winners).Select(x => x.Receipt)];
    }

    /// <summary>Draws <paramref name="winners"/> among all the form's applications (all channels); a new random seed when none is given.</summary>
    /// <exception cref="FormRefusedException">Not a lottery form, before the deadline, or already drawn.</exception>
    public async Task<Drawn> DrawAsync(string slug, int winners, string? seed, string actor, CancellationToken ct)
    {
        var (form, rules) = await LotteryFormAsync(slug, ct);
        if (winners < 1) throw new FormRefusedException("当選数（--winners）は1以上にしてください。");
        seed = string.IsNullOrWhiteSpace(seed) ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) : seed.Trim();
        if (seed.Length > 200) throw new FormRefusedException("シード（--seed）は200文字以内にしてください。");
        var now = clock.GetUtcNow();
        if (now < rules.Closes!.Value)
        {
            throw new FormRefusedException($"フォーム '{slug}' の締切（{IntakeRefusal.Ja(rules.Closes.Value)}）前のため抽選できません。締切の後に抽選してください。");
        }
        if (await db.IntakeDraws.AsNoTracking().FirstOrDefaultAsync(d => d.FormId == form.Id, ct) is { } earlier)
        {
            throw new FormRefusedException($"フォーム '{slug}' は {IntakeRefusal.Ja(earlier.DrawnAt)} に抽選済みです（シード {earlier.Seed}、当選 {earlier.WinnerReceipts().Count} 件）。" +
                                           "抽選はやり直せません。結果を確かめるには `./madoguchi form draw " + slug + " --verify`。");
        }
        var entrants = await EntrantsAsync(form.Id, now, ct);
        var picked = Pick(entrants.Select(e => e.ReceiptNumber), seed, winners);
        var draw = new IntakeDraw
        {
            FormId = form.Id,
            Seed = seed,
            Winners = winners,
            Entrants = entrants.Count,
            WinnersJson = JsonSerializer.Serialize(picked),
            DrawnAt = now,
            DrawnBy = actor,
        };
        db.IntakeDraws.Add(draw);
        // The draw and its audit entry commit together (AppendAsync saves pending changes); the unique
        // index refuses a draw made at the same moment elsewhere.
        await audit.AppendAsync(new AuditEvent(AuditActions.FormDrawn, "form", slug)
        {
            DepartmentId = form.DepartmentId,
            Detail = $"seed={seed} entrants={entrants.Count} winners={picked.Count} sha256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(draw.WinnersJson)))}",
        }, ct);

        var won = picked.ToHashSet(StringComparer.Ordinal);
        var (mailed, failed) = await MailResultsAsync(entrants, won, ct);
        return new Drawn(draw, picked, mailed, failed);
    }

    /// <summary>Redoes the recorded draw from its seed over the same entrants and compares the winners.</summary>
    public async Task<Verified> VerifyAsync(string slug, CancellationToken ct)
    {
        var form = await db.Forms.AsNoTracking().FirstOrDefaultAsync(f => f.Slug == slug, ct)
            ?? throw new FormRefusedException($"フォーム '{slug}' はありません（一覧は `./madoguchi form list`）。");
        var draw = await db.IntakeDraws.AsNoTracking().FirstOrDefaultAsync(d => d.FormId == form.Id, ct)
            ?? throw new FormRefusedException($"フォーム '{slug}' はまだ抽選していません。");
        // Entrants are those stored before the draw: applications keyed in later (paper) do not change a past result.
        var receipts = await db.Submissions.AsNoTracking().Where(s => s.FormId == form.Id && s.SubmittedAt <= draw.DrawnAt).Select(s => s.ReceiptNumber).ToListAsync(ct);
        var again = Pick(receipts, draw.Seed, draw.Winners);
        return new Verified(draw, again.SequenceEqual(draw.WinnerReceipts()), again);
    }

    /// <summary>The draw of a form, or null.</summary>
    public Task<IntakeDraw?> DrawOfAsync(Guid formId, CancellationToken ct) => db.IntakeDraws.AsNoTracking().FirstOrDefaultAsync(d => d.FormId == formId, ct);

    private sealed record FormInfo(Guid Id, Guid? DepartmentId, int Current);
    private sealed record Entrant(string ReceiptNumber, string Language, string AnswersJson, Guid VersionId);

    private async Task<(FormInfo Form, IntakeRules Rules)> LotteryFormAsync(string slug, CancellationToken ct)
    {
        var form = await db.Forms.AsNoTracking().Where(f => f.Slug == slug)
            .Select(f => new FormInfo(f.Id, f.Procedure!.DepartmentId, f.CurrentVersion ?? 0)).FirstOrDefaultAsync(ct)
            ?? throw new FormRefusedException($"フォーム '{slug}' はありません（一覧は `./madoguchi form list`）。");
        var versionId = await db.FormVersions.AsNoTracking().Where(v => v.FormId == form.Id && v.Number == form.Current).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct)
            ?? throw new FormRefusedException($"フォーム '{slug}' はまだ公開されていません。");
        var rules = (await PublishedDefinitions.GetAsync(db, versionId, ct)).Intake;
        if (rules is not { Mode: IntakeMode.Lottery })
        {
            throw new FormRefusedException($"フォーム '{slug}' は抽選のフォームではありません。定義の intake.mode を \"lottery\" にして公開した版だけ抽選できます。");
        }
        return (form, rules);
    }

    private async Task<List<Entrant>> EntrantsAsync(Guid formId, DateTimeOffset upTo, CancellationToken ct)
        => await db.Submissions.AsNoTracking().Where(s => s.FormId == formId && s.SubmittedAt <= upTo)
            .Select(s => new Entrant(s.ReceiptNumber, s.Language, s.AnswersJson, s.FormVersionId)).ToListAsync(ct);

    /// <summary>Sends each entrant with an e-mail answer their result; a failure is counted and logged, not retried.</summary>
    private async Task<(int Mailed, int Failed)> MailResultsAsync(List<Entrant> entrants, HashSet<string> won, CancellationToken ct)
    {
        if (!mail.Configured) return (0, 0);
        int sent = 0, failed = 0;
        foreach (var e in entrants)
        {
            var definition = await PublishedDefinitions.GetAsync(db, e.VersionId, ct);
            var to = Mails.EmailAnswer(definition, JsonNode.Parse(e.AnswersJson) as JsonObject ?? []);
            if (to is null) continue;
            var message = IntakeMails.Result(to, e.Language, definition.Title.Plain(Mails.ToLanguage(e.Language)), e.ReceiptNumber, won.Contains(e.ReceiptNumber));
            try
            {
                await mail.SendAsync(message.To, message.Subject, message.Body, ct);
                sent++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The address is personal data: the log names the receipt, not the person.
                log.LogError(ex, "Lottery result for {Receipt} could not be mailed", e.ReceiptNumber);
                failed++;
            }
        }
        return (sent, failed);
    }
}

/// <summary>The lottery result mail, per language; like the other residents' mails it holds no answers.</summary>
public static class IntakeMails
{
    public static MailMessageText Result(string to, string language, string formTitle, string receiptNumber, bool won) => language switch
    {
        "en" => new(to, won ? $"Lottery result: you have been selected ({receiptNumber})" : $"Lottery result: not selected ({receiptNumber})",
            $"""
            The lottery for "{formTitle}" has been drawn.

            Receipt number: {receiptNumber}
            Result: {(won ? "SELECTED. We will contact you about the next steps." : "Not selected. Thank you for applying.")}

            This e-mail was sent automatically; replies are not read.
            """),
        "easy" => new(to, won ? $"抽選の 結果: 当たりました（{receiptNumber}）" : $"抽選の 結果: 当たりませんでした（{receiptNumber}）",
            $"""
            「{formTitle}」の 抽選を しました。

            受付番号: {receiptNumber}
            結果: {(won ? "当たりました。これから する ことを お知らせします。" : "当たりませんでした。申し込んで くれて ありがとう ございました。")}

            この メールに 返事を しないで ください。
            """),
        _ => new(to, won ? $"抽選結果のお知らせ：当選（受付番号 {receiptNumber}）" : $"抽選結果のお知らせ：落選（受付番号 {receiptNumber}）",
            $"""
            「{formTitle}」の抽選を行いました。

            受付番号: {receiptNumber}
            結果: {(won ? "当選しました。今後の手続は追ってご案内します。" : "残念ながら落選となりました。お申し込みありがとうございました。")}

            このメールは送信専用です。返信はお受けできません。
            """),
    };
}
