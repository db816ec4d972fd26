using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Tests.Features.Forms;

public sealed class FormValidationTests
{
    private static readonly FormDefinition Form = FormParser.Parse(FormParserTests.DocumentedExample(), false).Definition!;

    private static FormPage Page(string key) => Form.Pages.Single(p => p.Key == key);

    private static Dictionary<string, IReadOnlyList<string>> Answers(params (string Key, string Value)[] pairs)
        => pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(p => p.Value)]);

    private static Dictionary<string, string> Codes(IEnumerable<FormValidation.FieldError> errors) => errors.ToDictionary(e => e.Field, e => e.Code);

    [Fact]
    public void Required_fields_say_what_to_do_in_three_languages_and_custom_errors_replace_the_standard_text()
    {
        var errors = FormValidation.ValidatePage(Page("applicant"), Answers());

        Assert.Equal(new Dictionary<string, string> { ["applicantName"] = "required", ["applicantBirthDate"] = "required", ["phone"] = "required", ["reason"] = "required" }, Codes(errors));
        var reason = errors.Single(e => e.Field == "reason").Message;
        Assert.Equal(("＊転所の理由を選んでください。", "＊Reason for the change: choose an answer."), (reason.Ja, reason.En));
        Assert.Null(EasyText.Check(reason.Easy!));
        // The form's own error text for the birth date.
        Assert.Equal("生年月日を 令和2年4月1日 のように入力してください。", errors.Single(e => e.Field == "applicantBirthDate").Message.Ja);
    }

    [Fact]
    public void A_field_shown_on_a_condition_is_required_only_when_the_condition_holds()
    {
        var filled = Answers(("applicantName", "山田 太郎"), ("applicantBirthDate", "R2.4.1"), ("phone", "03-1234-5678"));

        Assert.Empty(FormValidation.ValidatePage(Page("applicant"), Answers([.. filled.Select(a => (a.Key, a.Value[0])), ("reason", "moving")])));
        var other = FormValidation.ValidatePage(Page("applicant"), Answers([.. filled.Select(a => (a.Key, a.Value[0])), ("reason", "other")]));
        Assert.Equal(("reasonOther", "required"), (Assert.Single(other).Field, other[0].Code));
        // A page condition on an earlier page's answer: employer appears for "work" and "other" only.
        var address = Answers(("postcode", "1350016"), ("address", "東京都江東区東陽4-11-28"), ("hoursPerWeek", "４０"));
        Assert.DoesNotContain(FormValidation.ValidatePage(Page("address"), address), e => e.Field == "employer");
        address["reason"] = ["work"];
        Assert.Contains(FormValidation.ValidatePage(Page("address"), address), e => e.Field == "employer" && e.Code == "required");
    }

    [Theory]
    [InlineData("hoursPerWeek", "abc", "not_a_number")]
    [InlineData("hoursPerWeek", "81", "out_of_range")]
    [InlineData("hoursPerWeek", "0", "out_of_range")]
    [InlineData("address", "", "required")]
    public void Numbers_and_lengths_are_checked_on_the_server(string key, string value, string code)
    {
        var answers = Answers(("postcode", "1350016"), ("address", "東京都江東区"), ("hoursPerWeek", "40"));
        answers[key] = [value];

        var errors = FormValidation.ValidatePage(Page("address"), answers);

        Assert.Equal(code, Codes(errors)[key]);
    }

    [Fact]
    public void Length_counts_characters_as_people_see_them()
    {
        var page = Page("applicant");
        var ok = Answers(("reason", "other"), ("reasonOther", string.Concat(Enumerable.Repeat("𠮷", 200))));
        var tooLong = Answers(("reason", "other"), ("reasonOther", new string('あ', 201)));

        Assert.DoesNotContain(FormValidation.ValidatePage(page, ok), e => e.Field == "reasonOther");
        var error = FormValidation.ValidatePage(page, tooLong).Single(e => e.Field == "reasonOther");
        Assert.Equal(("too_long", "＊その他の理由は200文字以内で入力してください（今は201文字）。"), (error.Code, error.Message.Ja));
    }

    [Fact]
    public void Choices_must_be_among_the_options_and_email_must_look_like_one()
    {
        var errors = FormValidation.ValidatePage(Page("applicant"), Answers(("reason", "bribe"), ("email", "not-an-address")));
        Assert.Equal("invalid_option", Codes(errors)["reason"]);
        Assert.Equal("invalid_email", Codes(errors)["email"]);

        var family = Answers(("family[0].memberName", "山田 花子"), ("family[0].memberRelation", "child"), ("family[0].memberBirthDate", "R5.1.1"),
            ("needs", "allergy"), ("needs", "pony"), ("employmentCertificate", "file-id"), ("consent", "yes"));
        var codes = Codes(FormValidation.ValidatePage(Page("family"), family));
        Assert.Equal("invalid_option", codes["needs"]);
        Assert.Equal("required", codes["consent"]);
    }

    [Fact]
    public void Repeatable_groups_check_their_count_and_each_item()
    {
        var page = Page("family");
        var none = Codes(FormValidation.ValidatePage(page, Answers(("consent", FormValidation.Agreed), ("employmentCertificate", "f"))));
        Assert.Equal("too_few", none["family"]);

        var two = Answers(("family[0].memberName", "山田 花子"), ("family[0].memberRelation", "child"), ("family[0].memberBirthDate", "R5.1.1"),
            ("family[1].memberName", "山田 一郎"), ("family[1].memberRelation", "uncle"),
            ("consent", FormValidation.Agreed), ("employmentCertificate", "f"));
        var codes = Codes(FormValidation.ValidatePage(page, two));
        Assert.Equal(new Dictionary<string, string> { ["family[1].memberRelation"] = "invalid_option", ["family[1].memberBirthDate"] = "required" }, codes);
    }

    [Fact]
    public void Keys_that_are_not_answers_of_the_page_are_named()
    {
        var unknown = FormValidation.UnknownKeys(Page("family"), ["family[0].memberName", "family[8].memberName", "family[0].isAdmin", "reason", "consent", "__proto__"]);

        Assert.Equal(["family[8].memberName", "family[0].isAdmin", "reason", "__proto__"], unknown);
    }

    [Fact]
    public void Content_rules_of_japanese_types_plug_in_by_type()
    {
        var rules = new Dictionary<FieldType, FormValidation.TypeRule>
        {
            [FieldType.Postcode] = (_, v) => v.Length == 7 ? null : new LocalizedText("＊郵便番号は7桁です。"),
        };

        var errors = FormValidation.ValidatePage(Page("address"), Answers(("postcode", "135"), ("address", "江東区"), ("hoursPerWeek", "1")), rules);

        Assert.Equal(("postcode", "invalid", "＊郵便番号は7桁です。"), (Assert.Single(errors).Field, errors[0].Code, errors[0].Message.Ja));
    }
}
