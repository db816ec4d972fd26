using System.Text.Json.Nodes;
using Madoguchi.Web.Features.Applicants;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Shared.Localization;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// One question for <c>_Field.cshtml</c>, the one rendering of a form field on residents' pages: the
/// form filling steps and the 補正 page both use it, so a field type looks and posts the same on both.
/// </summary>
/// <param name="Path">Where the answer goes in the post: <c>key</c>, or <c>group[i].key</c> in a group item.</param>
/// <param name="Errors">The page's errors; the field shows those of its path and its parts.</param>
/// <param name="Prefill">Whether the applicant's sign-in filled it in (form filling only).</param>
/// <param name="Attachments">Files already attached to the draft (form filling only: 補正 never asks for files).</param>
public sealed record FieldView(FormField Field, string Path, JsonNode? Value, Language Language, IReadOnlyList<AnswerError> Errors,
    ApplicantPrefill.State Prefill = ApplicantPrefill.State.None, IReadOnlyList<Attachment>? Attachments = null)
{
    public const string Partial = "/Features/Submissions/_Field.cshtml";

    public IEnumerable<AnswerError> ErrorsOf(string path) => Errors.Where(e => e.Field == path || e.Field.StartsWith(path + ".", StringComparison.Ordinal));
}
