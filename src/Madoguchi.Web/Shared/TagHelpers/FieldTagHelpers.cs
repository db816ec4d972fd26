using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Madoguchi.Web.Shared.TagHelpers;

/// <summary>
/// Shared rendering of a DADS form control: label with ※必須/※任意, hint and error linked by
/// aria-describedby, aria-invalid on error, and errors that start with "＊".
/// </summary>
public abstract class FieldTagHelperBase : TagHelper
{
    [HtmlAttributeName("asp-for")] public ModelExpression For { get; set; } = default!;
    [HtmlAttributeName("label")] public string Label { get; set; } = "";
    [HtmlAttributeName("hint")] public string? Hint { get; set; }
    /// <summary>Overrides the [Required] attribute of the model when set.</summary>
    [HtmlAttributeName("required")] public bool? Required { get; set; }
    [ViewContext, HtmlAttributeNotBound] public ViewContext ViewContext { get; set; } = default!;

    protected string Name => For.Name;
    protected string Id => TagBuilder.CreateSanitizedId(For.Name, "_");
    protected bool IsRequired => Required ?? For.Metadata.IsRequired && For.Metadata.ModelType != typeof(bool);

    protected IReadOnlyList<string> Errors =>
        ViewContext.ViewData.ModelState.TryGetValue(Name, out var entry)
            ? [.. entry.Errors.Select(e => e.ErrorMessage)]
            : [];

    /// <summary>The value to show: what was posted when the form is re-rendered, else the model's.</summary>
    protected string? CurrentValue =>
        ViewContext.ViewData.ModelState.TryGetValue(Name, out var entry) && entry.AttemptedValue is not null
            ? entry.AttemptedValue
            : For.Model switch
            {
                null => null,
                DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                var o => o.ToString(),
            };

    protected static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    /// <summary>※必須 / ※任意 in the page's language (the same texts as the residents' form fields).</summary>
    protected string Requirement()
    {
        var text = ViewContext.HttpContext.RequestServices.GetRequiredService<Localization.Lang>()[IsRequired ? "fill.required" : "fill.optional"];
        using var writer = new StringWriter();
        text.WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        return $"<span class=\"dads-form-control__requirement\"{(IsRequired ? "" : " data-optional")}>{writer}</span>";
    }

    /// <summary>Writes hint and errors, returning the ids for aria-describedby.</summary>
    protected string HintAndErrors(StringBuilder sb)
    {
        var ids = new List<string>();
        if (!string.IsNullOrEmpty(Hint))
        {
            sb.Append($"<span class=\"dads-form-control__hint\" id=\"{Id}-hint\">{E(Hint)}</span>");
            ids.Add(Id + "-hint");
        }
        var errors = Errors;
        if (errors.Count > 0)
        {
            sb.Append($"<span class=\"dads-form-control__error\" id=\"{Id}-error\">");
            sb.Append(string.Join("<br>", errors.Select(m => E(m.StartsWith('＊') ? m : "＊" + m))));
            sb.Append("</span>");
            ids.Add(Id + "-error");
        }
        return ids.Count == 0 ? "" : $" aria-describedby=\"{string.Join(' ', ids)}\"";
    }

    protected string Invalid => Errors.Count > 0 ? " aria-invalid=\"true\"" : "";
}

/// <summary>&lt;dads-input asp-for="Input.Email" label="メールアドレス" type="email" autocomplete="username" /&gt;</summary>
[HtmlTargetElement("dads-input", TagStructure = TagStructure.WithoutEndTag)]
public sealed class InputTagHelper : FieldTagHelperBase
{
    [HtmlAttributeName("type")] public string Type { get; set; } = "text";
    [HtmlAttributeName("autocomplete")] public string? Autocomplete { get; set; }
    [HtmlAttributeName("width")] public string? Width { get; set; }
    [HtmlAttributeName("inputmode")] public string? InputMode { get; set; }

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var sb = new StringBuilder();
        sb.Append($"<label class=\"dads-form-control__label\" for=\"{Id}\">{E(Label)}{Requirement()}</label>");
        var described = HintAndErrors(sb);
        var value = Type == "password" ? "" : CurrentValue;
        sb.Append($"<input class=\"dads-input-text\" id=\"{Id}\" name=\"{E(Name)}\" type=\"{E(Type)}\" value=\"{E(value)}\"");
        if (IsRequired) sb.Append(" aria-required=\"true\"");
        if (Autocomplete is not null) sb.Append($" autocomplete=\"{E(Autocomplete)}\"");
        if (InputMode is not null) sb.Append($" inputmode=\"{E(InputMode)}\"");
        if (Width is not null) sb.Append($" data-width=\"{E(Width)}\"");
        sb.Append(Invalid).Append(described).Append('>');
        output.TagName = "div";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", "dads-form-control");
        output.Content.SetHtmlContent(sb.ToString());
    }
}

/// <summary>&lt;dads-select asp-for="Filter.Bu" asp-items="Model.Bus" label="部" /&gt;; an empty option "すべて" unless empty-label="".</summary>
[HtmlTargetElement("dads-select", TagStructure = TagStructure.WithoutEndTag)]
public sealed class SelectTagHelper : FieldTagHelperBase
{
    [HtmlAttributeName("asp-items")] public IEnumerable<SelectListItem> Items { get; set; } = [];
    [HtmlAttributeName("empty-label")] public string? EmptyLabel { get; set; } = "すべて";

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var sb = new StringBuilder();
        sb.Append($"<label class=\"dads-form-control__label\" for=\"{Id}\">{E(Label)}{Requirement()}</label>");
        var described = HintAndErrors(sb);
        sb.Append($"<select class=\"dads-select\" id=\"{Id}\" name=\"{E(Name)}\"{Invalid}{described}>");
        var current = CurrentValue ?? "";
        if (EmptyLabel is { Length: > 0 }) sb.Append($"<option value=\"\">{E(EmptyLabel)}</option>");
        foreach (var item in Items)
        {
            var value = item.Value ?? item.Text;
            var selected = value == current ? " selected" : "";
            sb.Append($"<option value=\"{E(value)}\"{selected}>{E(item.Text)}</option>");
        }
        sb.Append("</select>");
        output.TagName = "div";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", "dads-form-control");
        output.Content.SetHtmlContent(sb.ToString());
    }
}

/// <summary>&lt;dads-textarea asp-for="Input.Note" label="備考" rows="4" /&gt;</summary>
[HtmlTargetElement("dads-textarea", TagStructure = TagStructure.WithoutEndTag)]
public sealed class TextareaTagHelper : FieldTagHelperBase
{
    [HtmlAttributeName("rows")] public int Rows { get; set; } = 4;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var sb = new StringBuilder();
        sb.Append($"<label class=\"dads-form-control__label\" for=\"{Id}\">{E(Label)}{Requirement()}</label>");
        var described = HintAndErrors(sb);
        sb.Append($"<textarea class=\"dads-textarea\" id=\"{Id}\" name=\"{E(Name)}\" rows=\"{Rows}\"{(IsRequired ? " aria-required=\"true\"" : "")}{Invalid}{described}>{E(CurrentValue)}</textarea>");
        output.TagName = "div";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", "dads-form-control");
        output.Content.SetHtmlContent(sb.ToString());
    }
}

/// <summary>
/// The error summary at the top of a form: a titled banner that lists every error and links to
/// its field. Renders nothing when the form is valid. Focus moves to it on page load via the
/// autofocus-free tabindex, so screen readers announce it (role="alert").
/// </summary>
[HtmlTargetElement("dads-error-summary", TagStructure = TagStructure.WithoutEndTag)]
public sealed class ErrorSummaryTagHelper : TagHelper
{
    [ViewContext, HtmlAttributeNotBound] public ViewContext ViewContext { get; set; } = default!;
    [HtmlAttributeName("title")] public string Title { get; set; } = "入力内容を確認してください";

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var state = ViewContext.ViewData.ModelState;
        if (state.IsValid)
        {
            output.SuppressOutput();
            return;
        }
        var sb = new StringBuilder();
        sb.Append($"<h2 class=\"dads-notification-banner__title\" id=\"error-summary-title\">{WebUtility.HtmlEncode(Title)}</h2><ul>");
        foreach (var (key, entry) in state)
        {
            foreach (var error in entry.Errors)
            {
                var message = error.ErrorMessage.StartsWith('＊') ? error.ErrorMessage : "＊" + error.ErrorMessage;
                // Errors not tied to a field (key "") are listed without a link.
                sb.Append(key.Length == 0
                    ? $"<li>{WebUtility.HtmlEncode(message)}</li>"
                    : $"<li><a href=\"#{TagBuilder.CreateSanitizedId(key, "_")}\">{WebUtility.HtmlEncode(message)}</a></li>");
            }
        }
        sb.Append("</ul>");
        output.TagName = "div";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", "dads-notification-banner dads-error-summary");
        output.Attributes.SetAttribute("data-type", "error");
        output.Attributes.SetAttribute("role", "alert");
        output.Attributes.SetAttribute("aria-labelledby", "error-summary-title");
        output.Attributes.SetAttribute("tabindex", "-1");
        output.Content.SetHtmlContent(sb.ToString());
    }
}
