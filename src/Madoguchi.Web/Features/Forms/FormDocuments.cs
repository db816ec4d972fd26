using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// The document <c>GET /api/v1/forms/{slug}</c> answers for a published version, written once per
/// version and kept: a version never changes after publishing, so its bytes and entity tag never do.
/// A client that fills in forms fetches the definition for every resident; this makes the fetch one
/// small query (is it still the current version?) instead of a join, a parse and a serialisation.
/// </summary>
public sealed class FormDocuments
{
    private readonly ConcurrentDictionary<Guid, Document> _documents = new();

    /// <summary>A version's answer: UTF-8 JSON and its strong entity tag.</summary>
    public sealed record Document(byte[] Json, EntityTagHeaderValue ETag)
    {
        /// <summary>True when <paramref name="ifNoneMatch"/> names this document (or any, with *): the client's copy is current.</summary>
        public bool IsNamedBy(IList<EntityTagHeaderValue> ifNoneMatch)
            => ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(ETag, useStrongComparison: false));
    }

    public async Task<Document> GetAsync(MadoguchiDbContext db, PublishedVersion version, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(version);
        if (_documents.TryGetValue(version.VersionId, out var known)) return known;
        var stored = await db.FormVersions.AsNoTracking().Where(v => v.Id == version.VersionId)
            .Select(v => new { v.DefinitionJson, v.Sha256, v.PublishedAt }).SingleAsync(ct);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("slug", version.Definition.Slug);
            w.WriteString("procedure", version.Definition.ProcedureCode);
            w.WriteNumber("version", version.Number);
            w.WriteString("sha256", stored.Sha256);
            // Japan time like every time the API gives (DESIGN.md §3).
            w.WriteString("publishedAt", Shared.Japanese.JapanTime.InJapan(stored.PublishedAt).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
            // The definition exactly as published; the same text `form export SLUG --version N` writes.
            w.WritePropertyName("definition");
            w.WriteRawValue(stored.DefinitionJson, skipInputValidation: true);
            w.WriteEndObject();
        }
        // Version number and definition hash: a new version, or the same slug on another form after a
        // restore, never shares a tag with what a client holds.
        var document = new Document(stream.ToArray(), new EntityTagHeaderValue($"\"v{version.Number}-{stored.Sha256}\""));
        return _documents.GetOrAdd(version.VersionId, document);
    }
}
