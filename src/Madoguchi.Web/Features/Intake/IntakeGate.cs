using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Submissions;

namespace Madoguchi.Web.Features.Intake;

/// <summary>
/// Applies a form's intake rules to one application before it is queued: the period now, and the
/// person key and limits the <see cref="SubmissionWriter"/> then enforces in its transaction.
/// </summary>
public static class IntakeGate
{
    public enum State { Open, NotOpenYet, Closed, Full }

    /// <summary>Refused when <paramref name="now"/> is outside the period.</summary>
    public static IntakeRefusal? CheckPeriod(IntakeRules? rules, DateTimeOffset now)
    {
        if (rules?.Opens is { } opens && now < opens) return IntakeRefusal.NotOpenYet(opens);
        if (rules?.Closes is { } closes && now >= closes) return IntakeRefusal.Closed(closes);
        return null;
    }

    /// <summary>
    /// Sets the submission's person key and the limits it must fit in, or says why it cannot be
    /// accepted at all. <paramref name="identitySubject"/> is the signed-in applicant, when there is one.
    /// </summary>
    public static IntakeRefusal? Prepare(IntakeRules? rules, Submission submission, JsonObject answers, string? identitySubject)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (rules is null) return null;
        if (rules.PerPerson is { } person)
        {
            submission.PersonKey = PersonKeys.For(person, submission.FormId, answers, identitySubject);
            if (submission.PersonKey is null)
            {
                return person.By == PersonBasis.Identity ? IntakeRefusal.SignInRequired() : IntakeRefusal.FormChanged();
            }
        }
        var capacity = rules.Mode == IntakeMode.FirstCome ? rules.Capacity : null;
        var personMax = rules.PerPerson?.Max;
        if (capacity is not null || personMax is not null)
        {
            submission.Claim = new IntakeClaim(personMax, rules.PerPerson?.MainField, capacity);
        }
        return null;
    }

    /// <summary>Whether residents can apply now, for the start page (a full first-come form says so before anyone fills it in).</summary>
    public static async Task<(State State, int Taken)> StateAsync(MadoguchiDbContext db, Guid formId, IntakeRules? rules, DateTimeOffset now, CancellationToken ct)
    {
        if (rules is null) return (State.Open, 0);
        if (rules.Opens is { } opens && now < opens) return (State.NotOpenYet, 0);
        if (rules.Closes is { } closes && now >= closes) return (State.Closed, 0);
        if (rules.Mode != IntakeMode.FirstCome) return (State.Open, 0);
        var taken = await IntakeCounters.TakenAsync(db, IntakeCounter.CapacityKey(formId), ct);
        return (taken >= rules.Capacity ? State.Full : State.Open, taken);
    }
}
