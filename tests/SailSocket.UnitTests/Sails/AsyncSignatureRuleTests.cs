using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// The public asynchronous surface keeps one stated rule: request methods (GetAsync … DeleteAsync, XxxAsJsonAsync,
/// XxxFromJsonAsync, RequestAsync, RequestFromJsonAsync) return <see cref="ValueTask"/>; every other asynchronous method
/// returns <see cref="Task"/>; DisposeAsync returns <see cref="ValueTask"/> (<see cref="IAsyncDisposable"/>). Every public
/// async method but DisposeAsync ends with <c>CancellationToken cancellationToken = default</c>.
/// </summary>
public sealed class AsyncSignatureRuleTests
{
    private static readonly string[] s_verbs = ["Get", "Post", "Put", "Patch", "Delete"];

    private static readonly HashSet<string> s_requestMethods =
    [
        .. s_verbs.SelectMany(v => new[] { $"{v}Async", $"{v}AsJsonAsync", $"{v}FromJsonAsync" }),
        "RequestAsync",
        "RequestFromJsonAsync",
    ];

    /// <summary>Every public method of every public type of the SailSocket assembly that is asynchronous or named so.</summary>
    private static IEnumerable<MethodInfo> AsyncMethods() =>
        typeof(SailsClient).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && (IsAwaitable(m.ReturnType) || m.Name.EndsWith("Async", StringComparison.Ordinal)));

    private static bool IsAwaitable(Type type) =>
        type == typeof(Task) || type == typeof(ValueTask)
        || (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)));

    private static bool IsValueTask(Type type) => type == typeof(ValueTask) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>));

    private static bool IsTask(Type type) => type == typeof(Task) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>));

    private static string Describe(MethodInfo m) =>
        $"{m.DeclaringType!.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}"))}) : {m.ReturnType.Name}";

    [Fact]
    public void The_rule_covers_the_methods_it_names()
    {
        var names = AsyncMethods().Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToHashSet();

        foreach (var name in s_requestMethods)
        {
            Assert.Contains($"SailsSocket.{name}", names);
        }

        Assert.Contains("SailsClient.ConnectAsync", names);
        Assert.Contains("SailsClient.GetCsrfTokenAsync", names);
        Assert.Contains("SailsHandshake.AddCsrfTokenAsync", names);
        Assert.Contains("SailsClient.DisposeAsync", names);
        Assert.Contains("SailsSocket.ConnectAsync", names);
        Assert.Contains("SailsSocket.ReconnectAsync", names);
        Assert.Contains("SailsSocket.DisconnectAsync", names);
        Assert.Contains("SailsSocket.SubscribeAsync", names);
        Assert.Contains("SailsSocket.DisposeAsync", names);
    }

    [Fact]
    public void Request_methods_return_ValueTask_and_every_other_async_method_returns_Task()
    {
        var broken = new List<string>();
        foreach (var method in AsyncMethods().Where(m => IsAwaitable(m.ReturnType)))
        {
            var ok = method.Name switch
            {
                "DisposeAsync" => method.ReturnType == typeof(ValueTask) && typeof(IAsyncDisposable).IsAssignableFrom(method.DeclaringType),
                _ when s_requestMethods.Contains(method.Name) => (method.DeclaringType == typeof(SailsSocket) || method.DeclaringType == typeof(SailSocket.Fleet.SailsFleet)) && IsValueTask(method.ReturnType),
                _ => IsTask(method.ReturnType),
            };
            if (!ok)
            {
                broken.Add(Describe(method));
            }
        }

        Assert.True(broken.Count == 0, "Break the Task/ValueTask rule:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void Awaitable_methods_are_named_Async()
    {
        var misnamed = typeof(SailsClient).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && IsAwaitable(m.ReturnType) && !m.Name.EndsWith("Async", StringComparison.Ordinal))
            .Select(Describe)
            .ToList();

        Assert.True(misnamed.Count == 0, "Awaitable but not named …Async:\n" + string.Join("\n", misnamed));
    }

    [Fact]
    public void Every_async_method_but_DisposeAsync_ends_with_an_optional_cancellationToken()
    {
        var broken = new List<string>();
        foreach (var method in AsyncMethods())
        {
            var parameters = method.GetParameters();
            if (method.Name == "DisposeAsync")
            {
                if (parameters.Length != 0)
                {
                    broken.Add(Describe(method));
                }

                continue;
            }

            var last = parameters.LastOrDefault();
            var ok = last is not null
                && last.ParameterType == typeof(CancellationToken)
                && last.Name == "cancellationToken"
                && last.HasDefaultValue
                && parameters.Count(p => p.ParameterType == typeof(CancellationToken)) == 1;
            if (!ok)
            {
                broken.Add(Describe(method));
            }
        }

        Assert.True(broken.Count == 0, "Need a last parameter 'CancellationToken cancellationToken = default':\n" + string.Join("\n", broken));
    }
}
