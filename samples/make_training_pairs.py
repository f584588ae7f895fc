"""Synthetic training pairs in the fine-tuning chat format, generated reproducibly from a small lexicon.

python -m samples.make_training_pairs OUT.jsonl [--pairs 1530] [--seed 0]

Each line is {"messages": [system, user(resume + job description), assistant(tailored JSON)], "input_format"},
the user message as `transformer.prompting.build_messages` writes it, the answer a valid TailoredResume.
These are NOT the adapter's training data (which is not in this repository): they feed the stand-in
vocabulary of monitoring/baseline.json (python -m samples.make_stand_in_baseline) and tests of the baseline builder.
The lexicon below is written for this repository (no outside word list), covering common job families.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from transformer.generation.prompting import build_messages

FAMILIES: dict[str, dict[str, list[str]]] = {
    "platform": {
        "titles": [
            "Platform Engineer",
            "Site Reliability Engineer",
            "DevOps Engineer",
            "Cloud Engineer",
            "Infrastructure Engineer",
        ],
        "skills": [
            "Kubernetes",
            "Helm",
            "Terraform",
            "Docker",
            "Linux",
            "Prometheus",
            "Grafana",
            "AWS",
            "GCP",
            "Azure",
            "Go",
            "Python",
            "Bash",
            "Ansible",
            "ArgoCD",
            "CI/CD",
            "GitHub Actions",
            "Jenkins",
            "PostgreSQL",
            "Kafka",
            "Istio",
            "OpenTelemetry",
            "Vault",
            "Networking",
            "SLOs",
        ],
        "duties": [
            "operate Kubernetes clusters across regions",
            "automate infrastructure with Terraform",
            "own the observability stack and alerting",
            "build deployment tooling and Helm charts",
            "lead incident reviews and capacity planning",
            "improve reliability and on-call runbooks",
            "build the developer platform and internal tooling",
            "reduce cloud costs with autoscaling",
        ],
    },
    "backend": {
        "titles": ["Backend Engineer", "Software Engineer", "Java Developer", "Python Developer", "API Engineer"],
        "skills": [
            "Java",
            "Spring Boot",
            "Python",
            "Django",
            "FastAPI",
            "Go",
            "Node.js",
            "TypeScript",
            "PostgreSQL",
            "MySQL",
            "Redis",
            "Kafka",
            "RabbitMQ",
            "REST",
            "GraphQL",
            "gRPC",
            "Microservices",
            "Docker",
            "Kubernetes",
            "AWS",
            "Unit testing",
            "SQL",
            "C#",
            ".NET",
            "Rust",
        ],
        "duties": [
            "design and build scalable APIs",
            "write clean, tested and maintainable code",
            "own services from design to production",
            "improve performance of our payment systems",
            "collaborate with product managers and designers",
            "review code and mentor junior engineers",
            "migrate a monolith to microservices",
            "design data models and database schemas",
        ],
    },
    "frontend": {
        "titles": ["Frontend Engineer", "Web Developer", "React Developer", "UI Engineer", "Mobile Developer"],
        "skills": [
            "JavaScript",
            "TypeScript",
            "React",
            "Vue.js",
            "Angular",
            "Next.js",
            "HTML",
            "CSS",
            "Tailwind",
            "Redux",
            "Webpack",
            "Jest",
            "Cypress",
            "Accessibility",
            "Figma",
            "React Native",
            "Swift",
            "Kotlin",
            "iOS",
            "Android",
            "GraphQL",
            "Storybook",
            "Performance optimization",
        ],
        "duties": [
            "build accessible, responsive user interfaces",
            "ship features in our web and mobile apps",
            "work closely with designers on the design system",
            "improve page load performance",
            "write component and end-to-end tests",
            "own the frontend architecture",
        ],
    },
    "data": {
        "titles": ["Data Engineer", "Analytics Engineer", "Data Analyst", "BI Developer", "Data Architect"],
        "skills": [
            "SQL",
            "Python",
            "Spark",
            "Airflow",
            "dbt",
            "Snowflake",
            "BigQuery",
            "Redshift",
            "Kafka",
            "Databricks",
            "Tableau",
            "Power BI",
            "Looker",
            "ETL",
            "Data modeling",
            "Pandas",
            "Scala",
            "Data warehousing",
            "Data governance",
            "Excel",
            "Statistics",
            "A/B testing",
        ],
        "duties": [
            "build reliable batch and streaming pipelines",
            "model data for analytics and reporting",
            "own the data warehouse and its quality checks",
            "build dashboards for business stakeholders",
            "analyse product metrics and run experiments",
            "improve data governance and documentation",
        ],
    },
    "ml": {
        "titles": [
            "Machine Learning Engineer",
            "Data Scientist",
            "ML Platform Engineer",
            "Research Engineer",
            "NLP Engineer",
        ],
        "skills": [
            "Python",
            "PyTorch",
            "TensorFlow",
            "scikit-learn",
            "NLP",
            "LLMs",
            "Computer vision",
            "Deep learning",
            "MLOps",
            "Kubeflow",
            "MLflow",
            "Feature engineering",
            "Statistics",
            "SQL",
            "Spark",
            "Hugging Face",
            "Model serving",
            "vLLM",
            "Recommendation systems",
            "Time series",
            "CUDA",
            "Fine-tuning",
            "Evaluation",
        ],
        "duties": [
            "train, evaluate and deploy machine learning models",
            "build features and training pipelines",
            "serve models with low latency in production",
            "fine-tune language models on our data",
            "design experiments and measure model quality",
            "monitor models for drift and degradation",
        ],
    },
    "security": {
        "titles": ["Security Engineer", "Security Analyst", "Cloud Security Engineer", "Penetration Tester"],
        "skills": [
            "Threat modeling",
            "SIEM",
            "Incident response",
            "Penetration testing",
            "OWASP",
            "IAM",
            "Network security",
            "Cloud security",
            "Vulnerability management",
            "ISO 27001",
            "SOC 2",
            "Python",
            "Linux",
            "Splunk",
            "Zero trust",
            "Cryptography",
            "AWS",
            "Kubernetes",
        ],
        "duties": [
            "run vulnerability management and remediation",
            "respond to security incidents",
            "harden cloud infrastructure and identity management",
            "lead threat modeling with engineers",
            "prepare audits for SOC 2 and ISO 27001 compliance",
        ],
    },
    "product": {
        "titles": ["Product Manager", "Product Owner", "Technical Program Manager", "Project Manager", "Scrum Master"],
        "skills": [
            "Roadmapping",
            "Agile",
            "Scrum",
            "Jira",
            "Stakeholder management",
            "User research",
            "Analytics",
            "SQL",
            "A/B testing",
            "Prioritization",
            "OKRs",
            "Go-to-market",
            "Confluence",
            "Requirements",
            "Budgeting",
            "Risk management",
            "Communication",
            "Leadership",
        ],
        "duties": [
            "own the product roadmap and priorities",
            "work with engineering, design and sales",
            "define requirements and success metrics",
            "run discovery and user interviews",
            "manage delivery timelines, budgets and risks",
            "report progress to leadership",
        ],
    },
    "design": {
        "titles": ["Product Designer", "UX Designer", "UI Designer", "UX Researcher", "Graphic Designer"],
        "skills": [
            "Figma",
            "Sketch",
            "Prototyping",
            "User research",
            "Usability testing",
            "Wireframing",
            "Design systems",
            "Interaction design",
            "Visual design",
            "Accessibility",
            "Adobe Photoshop",
            "Illustrator",
            "Typography",
            "Information architecture",
        ],
        "duties": [
            "design end-to-end experiences for our customers",
            "run usability tests and interviews",
            "maintain our design system",
            "create wireframes, prototypes and visual designs",
        ],
    },
    "marketing": {
        "titles": [
            "Marketing Manager",
            "Growth Marketer",
            "Content Marketer",
            "SEO Specialist",
            "Social Media Manager",
        ],
        "skills": [
            "SEO",
            "SEM",
            "Google Analytics",
            "Content strategy",
            "Copywriting",
            "Email marketing",
            "HubSpot",
            "Salesforce",
            "Paid social",
            "Campaign management",
            "Brand",
            "CRM",
            "Marketing automation",
            "Conversion optimization",
            "Social media",
            "Budgeting",
        ],
        "duties": [
            "plan and run campaigns across channels",
            "grow organic traffic and conversion",
            "write content for our blog, website and newsletters",
            "manage the marketing budget",
            "report on campaign performance and pipeline",
        ],
    },
    "sales": {
        "titles": [
            "Account Executive",
            "Sales Manager",
            "Customer Success Manager",
            "Business Development Rep",
            "Account Manager",
        ],
        "skills": [
            "B2B sales",
            "SaaS",
            "Salesforce",
            "Negotiation",
            "Pipeline management",
            "Prospecting",
            "Account management",
            "CRM",
            "Forecasting",
            "Customer retention",
            "Presentations",
            "Enterprise sales",
            "Cold calling",
            "Onboarding",
            "Upselling",
        ],
        "duties": [
            "manage the full sales cycle from prospecting to close",
            "build relationships with customers",
            "exceed quarterly revenue targets",
            "onboard new customers and drive adoption",
            "forecast pipeline accurately in Salesforce",
        ],
    },
    "finance": {
        "titles": ["Financial Analyst", "Accountant", "Controller", "FP&A Manager", "Auditor"],
        "skills": [
            "Financial modeling",
            "Excel",
            "Forecasting",
            "Budgeting",
            "GAAP",
            "IFRS",
            "SAP",
            "Reporting",
            "Accounts payable",
            "Accounts receivable",
            "Reconciliation",
            "Tax",
            "Audit",
            "Power BI",
            "Variance analysis",
            "CPA",
        ],
        "duties": [
            "prepare monthly and quarterly financial reports",
            "build budgets and forecasts",
            "manage month-end close and reconciliations",
            "support audits and tax filings",
            "analyse variances and advise leadership",
        ],
    },
    "healthcare": {
        "titles": [
            "Registered Nurse",
            "Clinical Data Manager",
            "Medical Assistant",
            "Pharmacist",
            "Healthcare Administrator",
        ],
        "skills": [
            "Patient care",
            "EHR",
            "Epic",
            "HIPAA",
            "Clinical trials",
            "Medication administration",
            "Triage",
            "Care coordination",
            "BLS",
            "ACLS",
            "Compliance",
            "Scheduling",
            "Medical terminology",
        ],
        "duties": [
            "provide safe, high-quality patient care",
            "coordinate care with physicians and families",
            "document care accurately in the EHR",
            "ensure compliance with HIPAA and policies",
        ],
    },
    "operations": {
        "titles": [
            "Operations Manager",
            "Supply Chain Analyst",
            "Logistics Coordinator",
            "HR Generalist",
            "Recruiter",
            "Customer Support Specialist",
        ],
        "skills": [
            "Process improvement",
            "Lean",
            "Six Sigma",
            "Supply chain",
            "Logistics",
            "Inventory management",
            "Vendor management",
            "ERP",
            "Excel",
            "Recruiting",
            "Onboarding",
            "Payroll",
            "Zendesk",
            "Customer service",
            "Scheduling",
            "Reporting",
            "Procurement",
        ],
        "duties": [
            "improve operational processes and efficiency",
            "manage vendors and procurement",
            "coordinate shipments and inventory",
            "recruit and onboard new employees",
            "resolve customer requests quickly and kindly",
        ],
    },
}
SENIORITY = ["Junior", "", "Senior", "Lead", "Staff", "Principal"]
INTROS = [
    "We are a fast-growing {industry} company building products used by millions of people.",
    "Join our {industry} team and help us shape the future of the industry.",
    "Our mission is to make {industry} simpler, fairer and more accessible.",
    "We are hiring a {title} to join our distributed team in {city}.",
]
INDUSTRIES = [
    "fintech",
    "healthcare",
    "e-commerce",
    "logistics",
    "media",
    "education",
    "travel",
    "insurance",
    "energy",
    "retail",
    "gaming",
    "telecommunications",
    "public sector",
    "automotive",
]
CITIES = [
    "Berlin",
    "London",
    "Amsterdam",
    "Paris",
    "Madrid",
    "Warsaw",
    "Stockholm",
    "New York",
    "Toronto",
    "Austin",
    "Remote",
    "Munich",
    "Dublin",
    "Lisbon",
]
BENEFITS = [
    "Competitive salary and equity.",
    "Flexible hours and remote work.",
    "Learning budget and conferences.",
    "Health insurance and pension plan.",
    "30 days of paid vacation.",
    "Parental leave and wellbeing support.",
]
FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elif",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Luca",
    "Maria",
    "Noah",
    "Olga",
    "Priya",
    "Rafael",
    "Sofia",
    "Tomasz",
    "Yara",
]
LAST = [
    "Schmidt",
    "Okafor",
    "Garcia",
    "Nguyen",
    "Kowalski",
    "Rossi",
    "Smith",
    "Tanaka",
    "Silva",
    "Novak",
    "Khan",
    "Andersson",
    "Dubois",
    "Moreau",
    "Costa",
    "Fischer",
]
COMPANIES = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
]
FORMATS = ["pdf"] * 6 + ["docx"] * 3 + ["text"]


def job_description(rng: random.Random, family: str, title: str) -> str:
    lex = FAMILIES[family]
    skills = rng.sample(lex["skills"], k=min(len(lex["skills"]), rng.randint(5, 9)))
    duties = rng.sample(lex["duties"], k=min(len(lex["duties"]), rng.randint(3, 5)))
    intro = rng.choice(INTROS).format(industry=rng.choice(INDUSTRIES), title=title, city=rng.choice(CITIES))
    lines = [title, "", intro, "", "What you will do"]
    lines += [f"- {duty[0].upper()}{duty[1:]}." for duty in duties]
    lines += ["", "What you bring", f"- {rng.randint(2, 10)}+ years of experience as a {title.lower()}."]
    lines += [f"- Strong skills in {', '.join(skills[:-2])} and {skills[-2]}.", f"- {skills[-1]} is a plus."]
    lines += ["", "What we offer"] + [f"- {b}" for b in rng.sample(BENEFITS, k=3)]
    return "\n".join(lines)


def resume(rng: random.Random, family: str, title: str) -> tuple[str, dict[str, Any]]:
    """A resume text and the facts a tailored answer may use."""
    lex = FAMILIES[family]
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    skills = rng.sample(lex["skills"], k=min(len(lex["skills"]), rng.randint(6, 12)))
    jobs = []
    year = 2024
    for _ in range(rng.randint(2, 4)):
        start = year - rng.randint(1, 4)
        bullets = [
            f"{duty[0].upper()}{duty[1:]} with {rng.choice(skills)}."
            for duty in rng.sample(lex["duties"], k=min(3, len(lex["duties"])))
        ]
        jobs.append(
            {
                "company": rng.choice(COMPANIES),
                "title": title,
                "start": str(start),
                "end": str(year),
                "bullets": bullets,
            }
        )
        year = start
    lines = [
        name,
        title,
        f"{name.split()[0].lower()}@example.com | {rng.choice(CITIES)}",
        "",
        "Summary",
        f"{title} with {2024 - year} years of experience in {', '.join(skills[:3])}.",
        "",
        "Experience",
    ]
    for job in jobs:
        lines.append(f"{job['company']} - {job['title']}, {job['start']} - {job['end']}")
        lines += [f"• {b}" for b in job["bullets"]]
    lines += ["", "Skills", ", ".join(skills)]
    return "\n".join(lines), {"name": name, "title": title, "skills": skills, "jobs": jobs}


def tailored_answer(facts: dict[str, Any], target: str, job_text: str) -> dict[str, Any]:
    """A valid TailoredResume built only from the resume's facts."""
    matched = [s for s in facts["skills"] if s.lower() in job_text.lower()]
    return {
        "basics": {
            "name": facts["name"],
            "label": facts["title"],
            "email": "",
            "phone": "",
            "url": "",
            "location": {"city": "", "region": "", "countryCode": ""},
            "profiles": [],
        },
        "summary": f"{facts['title']} experienced in {', '.join(matched[:3] or facts['skills'][:3])}.",
        "work": [
            {
                "name": j["company"],
                "position": j["title"],
                "location": "",
                "startDate": j["start"],
                "endDate": j["end"],
                "summary": "",
                "highlights": j["bullets"],
            }
            for j in facts["jobs"]
        ],
        "education": [],
        "skills": [
            {"name": s, "level": "", "keywords": []} for s in matched + [s for s in facts["skills"] if s not in matched]
        ],
        "projects": [],
        "certifications": [],
        "tailoring": {"targetRole": target, "matchedJobKeywords": matched},
    }


def generate(pairs: int, seed: int = 0) -> list[dict[str, Any]]:
    """`pairs` chat-format training records, the same for the same seed."""
    rng = random.Random(seed)
    records = []
    for _ in range(pairs):
        family = rng.choice(sorted(FAMILIES))
        job_title = " ".join(filter(None, [rng.choice(SENIORITY), rng.choice(FAMILIES[family]["titles"])]))
        job = job_description(rng, family, job_title)
        text, facts = resume(rng, family, rng.choice(FAMILIES[family]["titles"]))
        messages = build_messages(text, job)
        answer = json.dumps(tailored_answer(facts, job_title, job), ensure_ascii=False)
        records.append(
            {"messages": [*messages, {"role": "assistant", "content": answer}], "input_format": rng.choice(FORMATS)}
        )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pairs", type=int, default=1530)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as fh:
        for record in generate(args.pairs, args.seed):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
