passwd last jwt
group last jwt
