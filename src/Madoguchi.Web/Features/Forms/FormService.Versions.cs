using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Features.Catalog;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// A form with all its published versions in one file (<c>form export SLUG --all-versions</c>), so a
/// municipality can take over another's form together with the version history its answer mappings
/// (changes) refer to. <c>form import</c> recognises the file by its <c>versions</c> member.
/// </summary>
public sealed partial class FormService
{
    private const string Timestamp = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>The form's published versions (each with number, time, SHA-256 and definition) and its working definition.</summary>
    public async Task<string> ExportAllVersionsAsync(string slug, CancellationToken ct)
    {
        var form = await db.Forms.AsNoTracking().Include(f => f.Procedure).FirstOrDefaultAsync(f => f.Slug == slug, ct)
            ?? throw new FormRefusedException($"フォーム '{slug}' はありません（一覧は `./madoguchi form list`）。");
        var versions = await db.FormVersions.AsNoTracking().Where(v => v.FormId == form.Id).OrderBy(v => v.Number).ToListAsync(ct);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = 2, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("slug", form.Slug);
            w.WriteString("procedure", form.Procedure!.Code);
            w.WriteStartArray("versions");
            foreach (var v in versions)
            {
                w.WriteStartObject();
                w.WriteNumber("number", v.Number);
                w.WriteString("publishedAt", v.PublishedAt.ToUniversalTime().ToString(Timestamp, CultureInfo.InvariantCulture));
                w.WriteString("sha256", v.Sha256);
                w.WritePropertyName("definition");
                // Re-indented inside the file; the canonical text (and so the SHA-256) is restored on import.
                JsonNode.Parse(v.DefinitionJson)!.WriteTo(w);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WritePropertyName("working");
            JsonNode.Parse(form.WorkingJson)!.WriteTo(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static bool IsVersionsExport(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("versions", out _);
        }
        catch (JsonException)
        {
            return false; // the definition parser reports the syntax error with its position
        }
    }

    private sealed record Incoming(int Number, DateTimeOffset PublishedAt, string Json, string Sha256);

    /// <summary>
    /// Recreates the versions of an export under this installation's procedure. The versions are
    /// history, not live: `form publish` makes the newest one current (and records the inventory).
    /// A form that already exists may take the file when its versions are the file's first ones.
    /// </summary>
    private async Task<ImportResult> ImportVersionsAsync(string json, Procedure procedure, string actor, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var errors = new List<FormError>();
        foreach (var p in root.EnumerateObject().Where(p => p.Name is not ("slug" or "procedure" or "versions" or "working")))
        {
            errors.Add(new($"$.{p.Name}", $"キー '{p.Name}' は版つきの書き出しファイルでは使えません。使えるのは slug、procedure、versions、working です。"));
        }
        var slug = root.TryGetProperty("slug", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
        var versions = root.GetProperty("versions");
        var incoming = new List<Incoming>();
        FormDefinition? previous = null;
        if (versions.ValueKind != JsonValueKind.Array || versions.GetArrayLength() == 0)
        {
            errors.Add(new("$.versions", "versions は公開版の配列で、1つ以上が必要です（`./madoguchi form export SLUG --all-versions` の出力をそのまま使ってください）。"));
        }
        else
        {
            var i = 0;
            foreach (var v in versions.EnumerateArray())
            {
                var path = $"$.versions[{i}]";
                var number = v.ValueKind == JsonValueKind.Object && v.TryGetProperty("number", out var n) && n.TryGetInt32(out var nn) ? nn : 0;
                if (number != i + 1)
                {
                    errors.Add(new(path + ".number", $"版の番号は 1 から順に並べてください（{i + 1} のはずが {(number == 0 ? "ありません" : number.ToString(CultureInfo.InvariantCulture))}）。"));
                    break;
                }
                if (!v.TryGetProperty("publishedAt", out var at) || at.ValueKind != JsonValueKind.String
                    || !DateTimeOffset.TryParseExact(at.GetString(), Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var publishedAt))
                {
                    errors.Add(new(path + ".publishedAt", "publishedAt は \"2026-04-01T00:00:00Z\" の形（UTC）で書いてください。"));
                    break;
                }
                if (!v.TryGetProperty("definition", out var d))
                {
                    errors.Add(new(path + ".definition", "definition（その版の定義）がありません。"));
                    break;
                }
                var parsed = FormParser.Parse(d.GetRawText(), procedure.UsesMyNumber);
                if (!parsed.IsValid)
                {
                    errors.AddRange(parsed.Errors.Select(e => e with { Path = path + ".definition" + e.Path[1..] }));
                    break;
                }
                var definition = parsed.Definition!;
                var sha = v.TryGetProperty("sha256", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
                // The history must be the one published: an edited old version would mis-map drafts.
                if (sha != FormJson.Sha256(FormJson.Write(definition)))
                {
                    errors.Add(new(path + ".sha256", $"版 {number} の定義が書き出したときの SHA-256 と一致しません。公開済みの版は書き換えられません。変更は working（作業中の定義）に書いてください。"));
                    break;
                }
                if (definition.Slug != slug) errors.Add(new(path + ".definition.slug", $"版 {number} の slug '{definition.Slug}' がファイルの slug '{slug}' と違います。"));
                errors.AddRange(VersionChanges.Check(previous, number - 1, definition).Select(e => e with { Path = path + ".definition" + e.Path[1..] }));
                previous = definition;
                var canonical = FormJson.Write(definition with { ProcedureCode = procedure.Code });
                incoming.Add(new Incoming(number, publishedAt, canonical, FormJson.Sha256(canonical)));
                i++;
            }
        }
        FormDefinition? working = previous;
        if (root.TryGetProperty("working", out var wj))
        {
            var parsed = FormParser.Parse(wj.GetRawText(), procedure.UsesMyNumber);
            errors.AddRange(parsed.Errors.Select(e => e with { Path = "$.working" + e.Path[1..] }));
            working = parsed.Definition;
            if (working is not null && working.Slug != slug) errors.Add(new("$.working.slug", $"working の slug '{working.Slug}' がファイルの slug '{slug}' と違います。"));
        }

        var form = await db.Forms.Include(f => f.Procedure).FirstOrDefaultAsync(f => f.Slug == slug, ct);
        List<FormVersion> existing = form is null ? [] : await db.FormVersions.Where(v => v.FormId == form.Id).OrderBy(v => v.Number).ToListAsync(ct);
        if (form is not null && form.ProcedureId != procedure.Id)
        {
            errors.Add(new("$.slug", $"slug '{slug}' は手続 {form.Procedure!.Code} のフォームで使われています。別の slug にしてください。"));
        }
        else if (errors.Count == 0)
        {
            // Only appending is possible: versions residents may hold drafts on never change.
            for (var k = 0; k < Math.Min(existing.Count, incoming.Count); k++)
            {
                if (existing[k].Sha256 != incoming[k].Sha256)
                {
                    errors.Add(new($"$.versions[{k}]", $"フォーム '{slug}' の公開済みの版 {existing[k].Number} がファイルの版 {incoming[k].Number} と違います。公開済みの版は置き換えられません。ファイルの版がこの環境の版の続きになっているか確かめてください。"));
                    break;
                }
            }
        }
        if (errors.Count > 0 || working is null)
        {
            throw new FormRefusedException($"版つきのフォームのファイルに誤りが {errors.Count} 件あります。何も取り込んでいません。", errors);
        }

        var now = clock.GetUtcNow();
        var created = form is null;
        if (form is null)
        {
            form = new Form { Slug = slug, ProcedureId = procedure.Id, CreatedAt = now };
            db.Forms.Add(form);
        }
        foreach (var v in incoming.Skip(existing.Count))
        {
            db.FormVersions.Add(new FormVersion { FormId = form.Id, Number = v.Number, DefinitionJson = v.Json, Sha256 = v.Sha256, PublishedAt = v.PublishedAt, PublishedBy = actor });
        }
        var workingJson = FormJson.Write(working with { ProcedureCode = procedure.Code });
        var workingSha = FormJson.Sha256(workingJson);
        var added = Math.Max(0, incoming.Count - existing.Count);
        var changed = form.WorkingSha256 != workingSha || added > 0;
        form.Title = working.Title.Ja;
        form.WorkingJson = workingJson;
        form.WorkingSha256 = workingSha;
        if (changed)
        {
            form.UpdatedAt = now;
            form.UpdatedBy = actor;
            await audit.AppendAsync(new Audit.AuditEvent(Audit.AuditActions.FormImported, "form", slug)
            {
                DepartmentId = procedure.DepartmentId,
                Detail = $"procedure={procedure.Code} sha256={workingSha} versions={incoming.Count} added={added}",
            }, ct);
        }
        return new ImportResult(form, created, changed) { VersionsAdded = added };
    }
}
